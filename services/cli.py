"""The `followthrough` command (SPEC §6). Services are imported lazily, so
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
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
panel_app = typer.Typer(help="Youth panels.", no_args_is_help=True)
schemas_app = typer.Typer(help="Event contracts.", no_args_is_help=True)
dev_app = typer.Typer(help="The local broker and database for development and tests.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(panel_app, name="panel")
app.add_typer(schemas_app, name="schemas")
app.add_typer(dev_app, name="dev")

HOST = typer.Option(None, help="interface to listen on (default 127.0.0.1)")
PORT = typer.Option(None, help="port to listen on")


@app.command()
def intake(host: Optional[str] = HOST, port: Optional[int] = PORT) -> None:
    """Run the intake service (default port 8001)."""
    from services.intake.app import main
    main(host, port)


@app.command()
def tracker(host: Optional[str] = HOST, port: Optional[int] = PORT) -> None:
    """Run the tracker service (default port 8002)."""
    from services.tracker.app import main
    main(host, port)


@app.command()
def notifier(host: Optional[str] = HOST, port: Optional[int] = PORT) -> None:
    """Run the notifier service (default port 8003)."""
    from services.notifier.app import main
    main(host, port)


@app.command()
def up() -> None:
    """Run the three services and the mail catcher with honcho, on the broker and database
    your settings name; Ctrl-C stops them all."""
    os.environ["PYTHON"] = sys.executable
    os.execvp(sys.executable, [sys.executable, "-m", "honcho", "-f", str(REPO / "deploy" / "local" / "Procfile"),
                               "-d", str(REPO), "start", "intake", "tracker", "notifier", "mail"])


@app.command()
def demo(scan_interval: float = typer.Option(5.0, help="seconds between scheduler passes")) -> None:
    """Start a fresh local broker, the three services, a mail catcher and the example; Ctrl-C stops all."""
    import shutil
    import signal

    run_dir = REPO / ".run" / "demo"
    shutil.rmtree(run_dir, ignore_errors=True)  # the demo starts fresh each time
    run_dir.mkdir(parents=True)
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "FOLLOWTHROUGH_PYTHON": sys.executable,
        "FOLLOWTHROUGH_RUN_DIR": str(run_dir),
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{run_dir / 'demo.db'}"),
        "FOLLOWTHROUGH_SCAN_INTERVAL": str(scan_interval),
    }
    kafka = [str(REPO / "deploy" / "local" / "kafka.sh")]
    if subprocess.run(kafka + ["start"], env=env).returncode:
        raise typer.Exit(1)  # kafka.sh said why
    # Ctrl-C reaches the whole process group: honcho stops its children, then we stop
    # the broker. SIGTERM to this process alone is passed on to honcho the same way.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    honcho = subprocess.Popen(
        [sys.executable, "-m", "honcho", "-f", str(REPO / "deploy" / "local" / "Procfile"), "-d", str(REPO), "start"],
        env=env, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    signal.signal(signal.SIGTERM, lambda *_: honcho.send_signal(signal.SIGINT))
    try:
        honcho.wait()
    finally:
        subprocess.run(kafka + ["stop"], env=env)


@app.command()
def catcher(smtp_port: int = 1025, http_port: int = 8025) -> None:
    """Run the local mail catcher: an SMTP server and a page listing what it caught."""
    from services.notifier.catcher import main
    main(smtp_port=smtp_port, http_port=http_port)


@app.command()
def scan() -> None:
    """Run one scheduler pass now and print what it decided."""
    from services.tracker.app import scan_once
    typer.echo(scan_once())


@token_app.command("issue")
def token_issue(
    role: str = typer.Option(..., help="admin, facilitator or owner"),
    email: str = typer.Option(..., help="who holds the token"),
    panel: Optional[str] = typer.Option(None, help="limit a facilitator to this panel"),
) -> None:
    """Issue an API token; the token alone is printed on the last line."""
    from services.common import tokens
    from services.common.db import make_engine
    from services.common.migrate import upgrade_common
    from services.common.settings import CommonSettings

    if role not in ("admin", "facilitator", "owner"):
        typer.echo(f"--role must be admin, facilitator or owner, not {role!r}", err=True)
        raise typer.Exit(2)
    engine = make_engine(CommonSettings().database_url)
    upgrade_common(engine)
    token = tokens.issue(engine, role, email=email, panel=panel)
    typer.echo(f"issued a {role} token for {email}" + (f" (panel {panel})" if panel else "") + "; it is shown once:")
    typer.echo(token)


@schemas_app.command("export")
def schemas_export() -> None:
    """Write the JSON Schema and AsyncAPI files from the event models."""
    from schemas.export import export
    for path in export():
        typer.echo(path.relative_to(REPO))


class Service(str, Enum):
    kafka = "kafka"
    postgres = "postgres"


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
    app()


if __name__ == "__main__":
    main()
