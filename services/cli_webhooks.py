"""`followthrough subscription ...`: the webhooks subscriptions (docs/contract.md §8.3) from the
command line, on the database the webhooks service uses (DATABASE_URL, and FOLLOWTHROUGH_SECRET_KEY,
which seals the keys). The same use cases as its API; a running service picks changes up within a
second (its dispatcher looks for work five times a second)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Optional

import typer

subscription_app = typer.Typer(help="Webhook subscriptions (the webhooks service, contract §8.3).",
                               no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(subscription_app, name="subscription")


def _subscriptions():
    from services.common.db import make_engine
    from services.common.settings import secret
    from services.webhooks.adapters.secretbox import SecretBox
    from services.webhooks.adapters.store import SqlStore
    from services.webhooks.bootstrap import migrate
    from services.webhooks.settings import WebhooksSettings
    from services.webhooks.usecases.subscriptions import Subscriptions

    settings = WebhooksSettings()
    engine = make_engine(settings.database_url)
    migrate(engine)
    store = SqlStore(engine, SecretBox(secret(settings.followthrough_secret_key)))
    return Subscriptions(store, allow_private=settings.followthrough_webhooks_allow_private,
                         overlap=dt.timedelta(hours=settings.followthrough_webhooks_rotation_overlap_hours))


def _print(value) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _refuse(exc) -> None:
    typer.echo(f"followthrough subscription: {exc}", err=True)
    raise typer.Exit(2) from None


def _missing(sub_id: str) -> None:
    typer.echo(f"followthrough subscription: there is no subscription {sub_id} (see `followthrough subscription "
               "list`)", err=True)
    raise typer.Exit(1)


@subscription_app.command("create")
def create(url: str = typer.Option(..., help="the receiver's http(s) URL"),
           types: str = typer.Option("*", help="event types, comma-separated; * for every public one"),
           signature: str = typer.Option("v1", help="v1 (HMAC-SHA256, a secret) or v1a (ed25519, a public key)"),
           owner_email: Optional[str] = typer.Option(None, help="who is emailed if it is disabled")) -> None:
    """Subscribe a receiver. Its secret (v1) or public key (v1a) is printed this once."""
    from services.webhooks.usecases.subscriptions import BadField, shown

    try:
        made = _subscriptions().create(url, [t.strip() for t in types.split(",") if t.strip()], signature,
                                       owner_email)
    except BadField as exc:
        _refuse(exc)
    _print(shown(made))


@subscription_app.command("list")
def list_all() -> None:
    """Every subscription and its state (never a key)."""
    from services.webhooks.usecases.subscriptions import view

    _print([view(s) for s in _subscriptions().list()])


@subscription_app.command("delete")
def delete(sub_id: str) -> None:
    """Send nothing more to it."""
    if not _subscriptions().delete(sub_id):
        _missing(sub_id)
    typer.echo(f"deleted {sub_id}")


@subscription_app.command("rotate")
def rotate(sub_id: str) -> None:
    """A new key, printed this once; the old one signs beside it for the overlap."""
    from services.webhooks.usecases.subscriptions import shown

    made = _subscriptions().rotate(sub_id)
    if made is None:
        _missing(sub_id)
    _print(shown(made))


@subscription_app.command("attempts")
def attempts(sub_id: str, limit: int = typer.Option(20, min=1, max=1000, help="at most this many")) -> None:
    """Its attempts, newest first."""
    from services.webhooks.usecases.subscriptions import attempt_view

    found = _subscriptions().attempts(sub_id, limit=limit)
    if found is None:
        _missing(sub_id)
    _print([attempt_view(a) for a in found])


@subscription_app.command("replay")
def replay(sub_id: str,
           start: dt.datetime = typer.Option(..., "--from", help="events whose time is at or after this (UTC)"),
           end: dt.datetime = typer.Option(..., "--to", help="and before this (UTC)")) -> None:
    """Send again every stored event of a wanted type whose time is in [--from, --to)."""
    from services.webhooks.usecases.subscriptions import BadField

    utc = dt.timezone.utc
    try:  # typer reads a time without its zone: the help says UTC
        count = _subscriptions().replay(sub_id, start.replace(tzinfo=start.tzinfo or utc),
                                        end.replace(tzinfo=end.tzinfo or utc))
    except BadField as exc:
        _refuse(exc)
    if count is None:
        _missing(sub_id)
    typer.echo(f"{count} events to send again to {sub_id}")
