"""The `followthrough` commands an administrator runs against the database and the
intake API: tokens (issue, list, revoke), panels (create, rotate-code, set-language), and CSV import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

import typer

token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
panel_app = typer.Typer(help="Youth panels.", no_args_is_help=True)
imports = typer.Typer()


def register(app: typer.Typer) -> None:
    from services import cli_staff

    app.add_typer(token_app, name="token")
    cli_staff.register(app)  # staff panel bindings, beside the tokens that bind the same way
    app.add_typer(panel_app, name="panel")
    app.registered_commands += imports.registered_commands


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
    panel: Optional[str] = typer.Option(None, help="the one panel a facilitator may write to"),
    all_panels: bool = typer.Option(False, "--all-panels", help="let a facilitator write to every panel instead"),
    days: int = typer.Option(90, min=1, help="days until the token expires"),  # tokens.DEFAULT_DAYS
) -> None:
    """Issue an API token; the token alone is printed on the last line."""
    from services.common import tokens
    from services.common.clock import utcnow

    if role not in ("admin", "facilitator", "owner"):
        typer.echo(f"--role must be admin, facilitator or owner, not {role!r}", err=True)
        raise typer.Exit(2) from None
    if role == "facilitator" and bool(panel) == all_panels:
        why = "not both" if all_panels else "it had neither"
        typer.echo(f"a facilitator token needs --panel SLUG (the one panel it may write to) or --all-panels "
                   f"(every panel): {why}", err=True)
        raise typer.Exit(2) from None
    now = utcnow()
    token = tokens.issue(_common_engine(), role, email=email, panel=panel, all_panels=all_panels, days=days, now=now)
    expires = (now + dt.timedelta(days=days)).strftime("%Y-%m-%d %H:%M UTC")
    article = "an" if role == "admin" else "a"
    scope = f" (panel {panel})" if panel else " for every panel" if role == "facilitator" else ""
    typer.echo(f"issued {article} {role} token for {email}{scope}, valid until {expires}; it is shown once:")
    typer.echo(token)


@token_app.command("list")
def token_list() -> None:
    """List tokens and panel access codes: id, role, email, panel, created, expires, revoked, status (no secrets).
    Times are UTC; an expiry marked * was given by the upgrade to a token issued before expiry existed."""
    from services.common import tokens
    from services.common.clock import utcnow

    def when(value) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else "-"

    now = utcnow()
    rows = [("ID", "ROLE", "EMAIL", "PANEL", "CREATED", "EXPIRES", "REVOKED", "STATUS")]
    listed = tokens.list_tokens(_common_engine())
    for t in listed:
        status = "revoked" if t["revoked"] else "expired" if t["expires"] and t["expires"] <= now else "active"
        panel = t["panel"] or ("(all)" if t["role"] == "facilitator" else "-")
        rows.append((t["id"], t["role"], t["email"] or "-", panel, when(t["created"]),
                     _expiry(t, when), when(t["revoked"]), status))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    if given := sum(t["expiry_from_upgrade"] for t in listed):
        typer.echo(f"* {given} token{'s' if given != 1 else ''} issued before expiry existed: their expiry was given "
                   "by the upgrade (the default lifetime from its day); issue new ones before then")


def _expiry(token: dict, when) -> str:
    if not token["expires"]:
        return "never"
    return when(token["expires"]) + ("*" if token["expiry_from_upgrade"] else "")


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
    language: str = typer.Option("en", help="en, cy or bilingual: the panel's pages and sign-in emails"),
    lead_language: Optional[str] = typer.Option(None, help="the police lead's language, en or cy, if known"),
    intake_url: str = INTAKE_URL, token: str = TOKEN,
) -> None:
    """Register a youth panel; prints its access code (shown once)."""
    import httpx

    lead = {"role": lead_role, "email": lead_email, **({"language": lead_language} if lead_language else {})}
    body = {"slug": slug, "name": name, "area": area, "police_lead": lead, "language": language,
            "escalation": {"supervisor": supervisor, "senior_lead": senior_lead, "board": board}}
    r = httpx.post(f"{intake_url}/api/v1/panels", json=body, headers={"Authorization": f"Bearer {token}"})
    _fail_on_problem(r)
    typer.echo(f"panel {slug} registered; its access code (shown once):")
    typer.echo(r.json()["access_code"])


@panel_app.command("rotate-code")
def panel_rotate_code(slug: str = typer.Argument(..., help="the panel's slug")) -> None:
    """Give a panel a new access code (printed once, alone on the last line); the old one stops working."""
    from services.common.clock import SYSTEM
    from services.common.db import make_engine
    from services.intake.adapters.storage import SqlStorage
    from services.intake.app import migrate
    from services.intake.settings import IntakeSettings
    from services.intake.usecases import record
    from services.intake.usecases.errors import NotFound

    engine = make_engine(IntakeSettings().database_url)
    migrate(engine)
    try:
        code = record.rotate_access_code(SqlStorage(engine), slug, SYSTEM.now())
    except NotFound:
        typer.echo(f"there is no panel {slug!r} in intake's database (DATABASE_URL); check the slug", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"panel {slug} has a new access code; the old one stops working once intake has published it "
               "(panel.updated). It is shown once:")
    typer.echo(code)


@panel_app.command("set-language")
def panel_set_language(slug: str = typer.Argument(..., help="the panel's slug"),
                       language: str = typer.Argument(..., help="en, cy or bilingual")) -> None:
    """Set the language a panel's pages open in (a panel made before 0.4.0 is en); its code stays."""
    from services.common.clock import SYSTEM
    from services.common.db import make_engine
    from services.intake.adapters.storage import SqlStorage
    from services.intake.app import migrate
    from services.intake.settings import IntakeSettings
    from services.intake.usecases import record
    from services.intake.usecases.errors import Invalid, NotFound

    engine = make_engine(IntakeSettings().database_url)
    migrate(engine)
    try:
        record.set_panel_language(SqlStorage(engine), slug, language, SYSTEM.now())
    except NotFound:
        typer.echo(f"there is no panel {slug!r} in intake's database (DATABASE_URL); check the slug", err=True)
        raise typer.Exit(1) from None
    except Invalid as exc:
        typer.echo(f"language: {exc.detail}. {exc.fix}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"panel {slug} now opens in {language}, once the tracker has read panel.updated")


@imports.command("import")
def import_csv(
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="CSV, columns as docs/recommendations-template.csv"),
    intake_url: str = INTAKE_URL, token: str = TOKEN,
) -> None:
    """Import a CSV of recommendations: checked here first, then all or nothing."""
    import httpx

    from schemas.models import DEFAULT_THEMES
    from services.intake.usecases import csvimport

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
