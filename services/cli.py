"""The `followthrough` command (contract §6). Services are imported lazily, so
each subcommand loads only the service it runs."""

from __future__ import annotations

import os
import subprocess
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

REPO = Path(__file__).resolve().parent.parent
app = typer.Typer(help="followthrough: keep the promises made to youth panels.", no_args_is_help=True)
schemas_app = typer.Typer(help="Event contracts.", no_args_is_help=True)
dev_app = typer.Typer(help="The local broker and database for development and tests.", no_args_is_help=True)
app.add_typer(schemas_app, name="schemas")
app.add_typer(dev_app, name="dev")

HOST = typer.Option(None, help="interface to listen on (default 127.0.0.1)")
PORT = typer.Option(None, help="port to listen on")


@app.command()
def intake(host: Optional[str] = HOST, port: Optional[int] = PORT) -> None:
    """Run the intake service (default port 8001)."""
    from services.intake.app import main
    _run_service(main, host, port)


@app.command()
def tracker(host: Optional[str] = HOST, port: Optional[int] = PORT) -> None:
    """Run the tracker service (default port 8002)."""
    from services.tracker.app import main
    _run_service(main, host, port)


@app.command()
def notifier(host: Optional[str] = HOST, port: Optional[int] = PORT) -> None:
    """Run the notifier service (default port 8003)."""
    from services.notifier.app import main
    _run_service(main, host, port)


@app.command()
def webhooks(host: Optional[str] = HOST, port: Optional[int] = PORT) -> None:
    """Run the webhooks service (default port 8004): signed webhooks of the public events."""
    from services.webhooks.app import main
    _run_service(main, host, port)


def _run_service(main, host: Optional[str], port: Optional[int]) -> None:
    """Start a service; a weak signing key where others reach it, or an https site linking to a
    plain-http intake, stops it with the reason and the fix."""
    from services.common.settings import RefusedToStart

    try:
        main(host, port)
    except RefusedToStart as exc:
        typer.echo(f"followthrough: refusing to start: {exc}", err=True)
        raise typer.Exit(2) from None


def _need_demo_extra(command: str) -> None:
    """`up`, `demo` and `catcher` run development tools that a production install leaves out."""
    import importlib.util

    missing = [name for name in ("aiosmtpd",) if importlib.util.find_spec(name) is None]
    if missing:
        typer.echo(f"followthrough {command}: needs the demo extra ({', '.join(missing)} is not installed). "
                   "Install it with: pip install 'followthrough[demo]' (from a checkout: pip install -e '.[demo]', "
                   "or `make demo`, which does it).", err=True)
        raise typer.Exit(2)


def _version(value: bool) -> None:
    if value:
        from services.version import describe

        typer.echo(describe())
        raise typer.Exit()


@app.callback()
def _main(show_version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True,
        help="print the installed version (and the commit, from a git checkout) and exit")) -> None:
    """followthrough: keep the promises made to youth panels."""


OFFSET = typer.Option(0, help="add this to every port (intake 8001, tracker 8002, notifier 8003, mail page 8025, "
                                "SMTP 1025, broker 9092): a second run beside the first")


@app.command()
def up(port_offset: int = OFFSET) -> None:
    """Run the four services and the mail catcher on the broker and database your settings name;
    Ctrl-C (or SIGTERM, SIGHUP) stops them all within 10 s."""
    _need_demo_extra("up")
    from devtools.demo.launch import up as run

    raise typer.Exit(run(port_offset))


@app.command()
def demo(scan_interval: float = typer.Option(5.0, help="seconds between scheduler passes"),
         port_offset: int = OFFSET,
         run_dir: Optional[Path] = typer.Option(None, help="the broker's and database's files, emptied at each "
                                                           "start (default .run/demo in the checkout)")) -> None:
    """Start a fresh local broker, the four services, a mail catcher, a webhook receiver and the example;
    Ctrl-C (or SIGTERM, SIGHUP) stops all within 10 s. Taken ports are named, and then nothing starts."""
    _need_demo_extra("demo")
    from devtools.demo.launch import demo as run

    raise typer.Exit(run(port_offset, (run_dir or REPO / ".run" / "demo").resolve(), scan_interval))


@app.command()
def catcher(smtp_port: int = 1025, http_port: int = 8025, host: str = "127.0.0.1") -> None:
    """Run the local mail catcher: an SMTP server and a page listing what it caught."""
    _need_demo_extra("catcher")
    from devtools.catcher import main
    main(smtp_port=smtp_port, http_port=http_port, host=host)


@app.command()
def scan(retry_parked: bool = typer.Option(
        False, "--retry-parked",
        help="first clear every row an earlier pass parked after an error (after a fix is deployed), "
             "so this pass decides them again; prints how many")) -> None:
    """Run one scheduler pass now and print what it decided."""
    from services.common.settings import InsecureSecretKey
    from services.tracker.app import scan_once

    try:
        typer.echo(scan_once(retry_parked))
    except InsecureSecretKey as exc:  # the scan signs the respond links in its emails
        typer.echo(f"followthrough: refusing to scan: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def replay() -> None:
    """Rebuild the tracker's state from the topics into the (empty) DATABASE_URL."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from services.tracker.bootstrap import bootstrap
    from services.tracker.usecases.replay import NotEmpty
    from services.tracker.usecases.replay import replay as run

    tracker = bootstrap()
    s = tracker.settings
    bar = Progress(TextColumn("replaying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   transient=False)
    task = bar.add_task("replay", total=None)
    try:
        with bar:
            counts = run(tracker.engine, s.kafka_bootstrap_servers, tracker.policies, s.followthrough_topic_prefix,
                         tracker.clock, progress=lambda done, total: bar.update(task, completed=done, total=total))
    except NotEmpty as exc:
        typer.echo(f"replay: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"replayed {counts['events']} events ({counts['skipped']} skipped as the live consumer did)")


@schemas_app.command("export")
def schemas_export() -> None:
    """Write the JSON Schema and AsyncAPI files from the event models."""
    from schemas.export import export
    for path in export():
        typer.echo(path.relative_to(REPO))


class Action(str, Enum):
    start = "start"
    stop = "stop"
    status = "status"


@dev_app.callback(invoke_without_command=True)
def dev() -> None:
    """`followthrough dev kafka|postgres start|stop|status`."""


@dev_app.command("kafka")
def dev_kafka(action: Action) -> None:
    """The local Apache Kafka broker (deploy/local/kafka.sh)."""
    _run_script("kafka.sh", action.value)


@dev_app.command("postgres")
def dev_postgres(action: Action) -> None:
    """The local PostgreSQL cluster (deploy/local/postgres.sh)."""
    _run_script("postgres.sh", action.value)


def _run_script(name: str, action: str) -> None:
    env = {**os.environ, "FOLLOWTHROUGH_PYTHON": sys.executable}
    raise typer.Exit(subprocess.call([str(REPO / "deploy" / "local" / name), action], env=env))


def main() -> None:
    from services import cli_admin, cli_webhooks

    cli_admin.register(app)
    cli_webhooks.register(app)
    app()


if __name__ == "__main__":
    main()
