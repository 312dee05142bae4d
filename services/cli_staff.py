"""`followthrough staff`: which panels a facilitator who signs in with their force account records
for (contract §8.1). The force's provider says who is a facilitator (the `followthrough.facilitator`
role); a binding here says for which panels, one row per person and panel in the shared database,
read on every request (an unbinding holds at once, without signing anyone out)."""

from __future__ import annotations

import typer

staff_app = typer.Typer(help="Staff who sign in with their force account: facilitators' panels.",
                        no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(staff_app, name="staff")


def _engine():
    from services.cli_admin import _common_engine

    return _common_engine()


@staff_app.command("bind")
def bind(email: str = typer.Argument(..., help="their work email, as their force account gives it"),
         panel: str = typer.Argument(..., help="the panel's slug")) -> None:
    """Let a facilitator record for a panel."""
    from services.common.signin import store

    done = store.bind(_engine(), email, panel)
    typer.echo(f"{email.strip().lower()} {'may now record' if done else 'already records'} for panel {panel}")


@staff_app.command("unbind")
def unbind(email: str = typer.Argument(...), panel: str = typer.Argument(...)) -> None:
    """Stop a facilitator recording for a panel, from their next request on."""
    from services.common.signin import store

    if not store.unbind(_engine(), email, panel):
        typer.echo(f"{email.strip().lower()} was not bound to panel {panel}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{email.strip().lower()} no longer records for panel {panel}")


@staff_app.command("list")
def list_bindings() -> None:
    """Every facilitator's panels."""
    from services.common.signin import store

    for email, panel in store.bindings(_engine()):
        typer.echo(f"{email}\t{panel}")
