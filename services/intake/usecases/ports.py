"""The seam between intake's use cases and its storage (a unit of work, as in cosmicpython's
service layer): `Storage.transaction()` gives a `Store` whose changes are kept together or not
at all. The adapters implement it on PostgreSQL (`adapters/storage.py`); the unit tests on
dictionaries, so the use cases' rules are checked in seconds without a database.

Rows are read by attribute (`row.decision`), whatever gives them."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from typing import Any, Callable, Protocol

from services.common.tokens import Principal
from services.intake.domain.signinmail import Claim, SendResult

Work = Callable[["Store"], tuple[int, dict]]


class Store(Protocol):
    """One transaction's view of intake's data."""

    # panels
    def add_panel(self, row: dict) -> bool: ...  # False: the slug is taken
    def panel(self, slug: str, *, lock: bool = False) -> Any | None: ...
    def panels(self) -> list[Any]: ...  # (slug, name), by name
    def set_access_code(self, slug: str, verifier: str) -> None: ...

    def set_panel_language(self, slug: str, language: str) -> None: ...

    # recommendations
    def add_recommendation(self, row: dict) -> bool: ...  # False: its id is taken
    def recommendation(self, rec_id: str, *, lock: bool = False) -> Any | None: ...
    def update_recommendation(self, rec_id: str, values: dict, *, if_decision: str | None = None) -> None: ...

    # events: published after the transaction (the outbox), and consumed once
    def publish(self, event: dict) -> None: ...  # a make_event envelope
    def first_time(self, event_id: str) -> bool: ...

    # people who may sign in, their links and sessions
    def people(self, now: dt.datetime, *, token_id: str | None = None, email: str | None = None) -> list[Principal]: ...
    def add_link(self, digest: str, token_id: str, now: dt.datetime, expires_at: dt.datetime) -> None: ...
    def forget_links(self, expired_before: dt.datetime) -> None: ...
    def link(self, digest: str) -> Any | None: ...  # (token_id, expires_at)
    def link_used(self, digest: str) -> bool: ...
    def use_link(self, digest: str, now: dt.datetime) -> bool: ...  # False: used already
    def add_session(self, digest: str, token_id: str, now: dt.datetime, expires_at: dt.datetime) -> None: ...
    def session_token(self, digest: str, now: dt.datetime) -> str | None: ...
    def end_session(self, digest: str) -> None: ...

    # sign-in emails waiting to be sent (the link's own transaction writes one)
    def add_signin_email(self, digest: str, recipient: str, link: str, message_id: str, now: dt.datetime,
                         expires_at: dt.datetime) -> None: ...
    def claim_signin_emails(self, now: dt.datetime, lease: dt.timedelta, limit: int) -> list[Claim]: ...
    # False: the claim no longer holds the row (its lease ran out and another took it); nothing written
    def signin_email_sent(self, claim: Claim) -> bool: ...
    def signin_email_failed(self, claim: Claim, error: str, retry_at: dt.datetime | None) -> bool: ...  # None: give up


class LinkMailer(Protocol):
    """The mail server, for sign-in emails."""

    longest_send: float  # seconds one send may take at most

    async def send(self, to: str, link: str, message_id: str, language: str | None = None) -> SendResult: ...


class Storage(Protocol):
    def transaction(self) -> AbstractContextManager[Store]: ...

    def run_once(self, key: str | None, fingerprint: str, work: Work, *, caller: str, now: dt.datetime,
                 shown_once: dict[str, str] | None = None) -> tuple[int, dict]:
        """`work` in one transaction, once per (caller, key): a repeat with the same fingerprint
        gets the first answer, another fingerprint is refused."""
        ...
