"""The `followthrough` command (SPEC §6). Services are imported lazily, so
each subcommand loads only the service it runs."""

from __future__ import annotations

import datetime as dt
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


def _run_service(main, host: Optional[str], port: Optional[int]) -> None:
    """Start a service; a weak signing key on a public URL stops it with the reason and the fix."""
    from services.common.settings import InsecureSecretKey

    try:
        main(host, port)
    except InsecureSecretKey as exc:
        typer.echo(f"followthrough: refusing to start: {exc}", err=True)
        raise typer.Exit(2) from None


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
def catcher(smtp_port: int = 1025, http_port: int = 8025, host: str = "127.0.0.1") -> None:
    """Run the local mail catcher: an SMTP server and a page listing what it caught."""
    from devtools.catcher import main
    main(smtp_port=smtp_port, http_port=http_port, host=host)


@app.command()
def scan() -> None:
    """Run one scheduler pass now and print what it decided."""
    from services.common.settings import InsecureSecretKey
    from services.tracker.app import scan_once

    try:
        typer.echo(scan_once())
    except InsecureSecretKey as exc:  # the scan signs the respond links in its emails
        typer.echo(f"followthrough: refusing to scan: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def replay() -> None:
    """Rebuild the tracker's state from the topics into the (empty) DATABASE_URL."""
    from services.tracker.bootstrap import bootstrap
    from services.tracker.usecases.replay import NotEmpty
    from services.tracker.usecases.replay import replay as run

    tracker = bootstrap()
    s = tracker.settings
    try:
        counts = run(tracker.engine, s.kafka_bootstrap_servers, tracker.policies, s.followthrough_topic_prefix,
                     tracker.clock)
    except NotEmpty as exc:
        typer.echo(f"replay: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"replayed {counts['events']} events ({counts['skipped']} skipped as the live consumer did)")


def _common_engine():
    """The shared database (DATABASE_URL), its token table brought up to date."""
    from services.common.db import make_engine
    from services.common.migrate import upgrade_common
    from services.common.settings import CommonSettings

    engine = make_engine(CommonSettings().database_url)
    upgrade_common(engine)
    return engine


@token_app.command("issue")
def token_issue(
    role: str = typer.Option(..., help="admin, facilitator or owner"),
    email: str = typer.Option(..., help="who holds the token"),
    panel: Optional[str] = typer.Option(None, help="limit a facilitator to this panel"),
    days: int = typer.Option(90, min=1, help="days until the token expires"),  # tokens.DEFAULT_DAYS
) -> None:
    """Issue an API token; the token alone is printed on the last line."""
    from services.common import tokens
    from services.common.clock import utcnow

    if role not in ("admin", "facilitator", "owner"):
        typer.echo(f"--role must be admin, facilitator or owner, not {role!r}", err=True)
        raise typer.Exit(2) from None
    now = utcnow()
    token = tokens.issue(_common_engine(), role, email=email, panel=panel, days=days, now=now)
    expires = (now + dt.timedelta(days=days)).strftime("%Y-%m-%d %H:%M UTC")
    article = "an" if role == "admin" else "a"
    typer.echo(f"issued {article} {role} token for {email}" + (f" (panel {panel})" if panel else "")
               + f", valid until {expires}; it is shown once:")
    typer.echo(token)


@token_app.command("list")
def token_list() -> None:
    """List tokens and panel access codes: id, role, email, panel, created, expires, revoked, status (no secrets).
    Times are UTC."""
    from services.common import tokens
    from services.common.clock import utcnow

    def when(value) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else "-"

    now = utcnow()
    rows = [("ID", "ROLE", "EMAIL", "PANEL", "CREATED", "EXPIRES", "REVOKED", "STATUS")]
    for t in tokens.list_tokens(_common_engine()):
        status = "revoked" if t["revoked"] else "expired" if t["expires"] and t["expires"] <= now else "active"
        rows.append((t["id"], t["role"], t["email"] or "-", t["panel"] or "-", when(t["created"]),
                     when(t["expires"]) if t["expires"] else "never", when(t["revoked"]), status))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


@token_app.command("revoke")
def token_revoke(token_id: str = typer.Argument(..., help="the id from `followthrough token list`")) -> None:
    """Revoke a token (or a panel access code) by its id; it stops working at once."""
    from services.common import tokens

    if token_id.startswith("ft_") and token_id.count("_") >= 2:
        token_id = token_id.split("_", 2)[1]  # a whole token was pasted: use only its id
    elif "-" in token_id:
        token_id = token_id.split("-", 1)[0]  # a whole panel access code (`<id>-<secret>`)
    done = tokens.revoke(_common_engine(), token_id)
    if done is None:
        typer.echo(f"no token with id {token_id!r}; `followthrough token list` shows the ids", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"token {token_id} revoked" if done else f"token {token_id} was already revoked")


INTAKE_URL = typer.Option("http://127.0.0.1:8001", envvar="FOLLOWTHROUGH_INTAKE_URL", help="the intake service")
TOKEN = typer.Option(..., envvar="FOLLOWTHROUGH_TOKEN", help="an admin or facilitator token")


@panel_app.command("create")
def panel_create(
    slug: str = typer.Option(...), name: str = typer.Option(...), area: str = typer.Option(...),
    lead_role: str = typer.Option(..., help="the police lead's role"),
    lead_email: str = typer.Option(..., help="the police lead's work email"),
    supervisor: str = typer.Option(..., help="email"), senior_lead: str = typer.Option(..., help="email"),
    board: str = typer.Option(..., help="email"),
    intake_url: str = INTAKE_URL, token: str = TOKEN,
) -> None:
    """Register a youth panel; prints its access code (shown once)."""
    import httpx

    body = {"slug": slug, "name": name, "area": area, "police_lead": {"role": lead_role, "email": lead_email},
            "escalation": {"supervisor": supervisor, "senior_lead": senior_lead, "board": board}}
    r = httpx.post(f"{intake_url}/api/v1/panels", json=body, headers={"Authorization": f"Bearer {token}"})
    _fail_on_problem(r)
    typer.echo(f"panel {slug} registered; its access code (shown once):")
    typer.echo(r.json()["access_code"])


@panel_app.command("rotate-code")
def panel_rotate_code(slug: str = typer.Argument(..., help="the panel's slug")) -> None:
    """Give a panel a new access code (printed once, alone on the last line); the old one stops working."""
    from sqlalchemy.orm import Session

    from services.common.clock import SYSTEM
    from services.common.db import make_engine
    from services.intake import record
    from services.intake.app import migrate
    from services.intake.settings import IntakeSettings

    engine = make_engine(IntakeSettings().database_url)
    migrate(engine)
    try:
        with Session(engine) as session, session.begin():
            code = record.rotate_access_code(session, slug, SYSTEM.now())
    except LookupError:
        typer.echo(f"there is no panel {slug!r} in intake's database (DATABASE_URL); check the slug", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"panel {slug} has a new access code; the old one stops working once intake has published it "
               "(panel.updated). It is shown once:")
    typer.echo(code)


@app.command("import")
def import_csv(
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="CSV, columns as docs/recommendations-template.csv"),
    intake_url: str = INTAKE_URL, token: str = TOKEN,
) -> None:
    """Import a CSV of recommendations: checked here first, then all or nothing."""
    import httpx

    from schemas.models import DEFAULT_THEMES
    from services.intake import csvimport

    text = file.read_text(encoding="utf-8-sig")
    lines = text.splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    errors = []
    with typer.progressbar(range(0, len(body), 500), label=f"checking {len(body)} rows") as chunks:
        for start in chunks:
            try:
                csvimport.parse(header + "".join(body[start:start + 500]), DEFAULT_THEMES)
            except csvimport.CsvRejected as exc:
                errors += [{**e, "row": e["row"] + start} for e in exc.errors if e["field"] != "(file)"]
    themes_only = all("theme" in e["field"] for e in errors)
    if errors and not themes_only:  # the server may know more themes; let it judge those
        for e in errors:
            typer.echo(f"row {e['row']}: {e['field']}: {e['message']}. {e['fix']}", err=True)
        typer.echo("Nothing was imported.", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"sending {len(body)} rows…")
    r = httpx.post(f"{intake_url}/api/v1/recommendations/import", content=text.encode(),
                   headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}, timeout=600)
    _fail_on_problem(r)
    typer.echo(f"imported {r.json()['imported']} recommendations")


def _fail_on_problem(r) -> None:
    if r.status_code < 400:
        return
    try:
        problem = r.json()
    except ValueError:
        typer.echo(f"error {r.status_code}: {r.text}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{problem.get('title')}: {problem.get('detail')}", err=True)
    for e in problem.get("errors", []):
        where = f"row {e['row']}: " if "row" in e else ""
        typer.echo(f"  {where}{e['field']}: {e['message']}. {e['fix']}", err=True)
    raise typer.Exit(1) from None


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
    app()


if __name__ == "__main__":
    main()
