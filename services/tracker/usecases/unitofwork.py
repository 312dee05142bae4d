"""The seam between the tracker's command use cases and its storage (a unit of work holding one
repository per kind of row, as in "Architecture Patterns with Python").

A use case opens a unit of work (`with storage.begin() as uow:`), asks and writes through its
repositories, and everything it wrote is committed together when the block ends, or nothing if it
raised. `Storage` is shared (by threads too); each `begin` is its own unit of work. The database
implementation (`adapters/unitofwork.py`) keeps the guarantees the rules rely on: a row
loaded with `lock=True` is held until the end, and every "once" is a unique key (an event id, a
notice key, a reply's decision). The unit tests use an in-memory one (tests/unit/tracker/fakes.py).

Rows come back as read-only objects with the tables' column names (`adapters/rows.py`)."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from typing import Any, Protocol

from services.tracker.adapters.rows import CommitmentRow, PanelRow, RecommendationRow


class Commitments(Protocol):
    def get(self, commitment_id: str, *, lock: bool = False) -> CommitmentRow | None: ...
    def of_recommendation(self, recommendation_id: str) -> CommitmentRow | None: ...
    def update(self, commitment_id: str, values: dict[str, Any]) -> CommitmentRow:
        """Write these columns and return the row as it now is."""
    def add_new(self, rows: list[dict[str, Any]]) -> set[str]:
        """Insert the rows whose id is new; the ids inserted."""
    def give_a_day(self, panel: str, today: dt.date) -> None:
        """One more day for the panel's done commitments to be checked."""


class Recommendations(Protocol):
    def get(self, recommendation_id: str, *, lock: bool = False) -> RecommendationRow | None: ...
    def update(self, recommendation_id: str, values: dict[str, Any]) -> RecommendationRow: ...
    def add_new(self, rows: list[dict[str, Any]]) -> set[str]: ...
    def decided(self, days: dict[str, dt.date]) -> None:
        """Pending ones answered (id -> day): the response clock stops."""


class Panels(Protocol):
    def get(self, slug: str) -> PanelRow | None: ...
    def save(self, slug: str, values: dict[str, Any]) -> None:
        """Insert the panel, or replace its values."""


class Timeline(Protocol):
    def append(self, commitment_id: str, kind: str, entry: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
        """The next entry of the commitment's hash chain; the record written."""
    def add_first(self, records: list[dict[str, Any]]) -> None:
        """New commitments' first entries (each with its commitment_id)."""


class Notices(Protocol):
    def sent_keys(self, recommendation_id: str) -> frozenset[str]: ...
    def commitment_of(self, notice_id: str) -> str | None:
        """The commitment a recorded notice is about (None: a recommendation's, or not ours)."""
    def add(self, notice: dict[str, Any], event: dict[str, Any]) -> bool:
        """The notice's row and its `notice.requested` event, once per (recommendation, key); True if
        this call recorded it."""


class Replies(Protocol):
    def exists(self, reply_id: str) -> bool: ...
    def add(self, values: dict[str, Any]) -> bool:
        """False if the decision was already answered (the unique key refused it)."""


class Outbox(Protocol):
    def add(self, event: dict[str, Any]) -> None: ...
    def add_many(self, events: list[dict[str, Any]]) -> None: ...


class Inbox(Protocol):
    def first_seen(self, event_ids: list[str]) -> set[str]:
        """Mark the events processed; the ids not seen before."""
    def delivery_failed(self, values: dict[str, Any]) -> bool:
        """Keep a notice the notifier gave up on, once per (notice, recipient); True if new."""


class AccessFailures(Protocol):
    def forget_expired(self, now: dt.datetime) -> None: ...
    def failures(self, panel: str, client: str, now: dt.datetime) -> int: ...
    def count(self, panel: str, client: str, now: dt.datetime, until: dt.datetime, allowed: int) -> int | None:
        """One more wrong code, in one statement; None if the limit was reached first. A row past its
        time starts again at 1; reaching the limit starts the lock until `until`."""
    def first_lock_today(self, panel: str, today: dt.date) -> bool:
        """True once per (panel, day): the first lock of that panel that day."""


class RateWindows(Protocol):
    def forget_expired(self, now: dt.datetime) -> None: ...
    def hits(self, rule: str, client: str, bucket: int) -> int: ...
    def count(self, rule: str, client: str, bucket: int, fits: int, until: dt.datetime) -> bool:
        """One more hit in the window, in one statement, only while it holds fewer than `fits`."""


class Pulse(Protocol):
    def count(self, panel: str, period: str, trust: int, kept: str) -> Any:
        """One more answer; the period's row as it now is (held until the end)."""
    def show(self, panel: str, period: str) -> Any:
        """Copy the running counts to the shown ones; the row as it now is."""


class PanelChain(Protocol):
    def reply(self, values: dict[str, Any]) -> dict[str, Any]:
        """The reply (its row's values) in its recommendation's hash chain, once; the record."""
    def pulse_step(self, panel: str, step: Any, at: dt.datetime) -> dict[str, Any] | None:
        """A published pulse step (period, counted, trust, kept) in the panel's hash chain, once."""


class UnitOfWork(Protocol):
    commitments: Commitments
    recommendations: Recommendations
    panels: Panels
    timeline: Timeline
    notices: Notices
    replies: Replies
    outbox: Outbox
    inbox: Inbox
    access: AccessFailures
    pulse: Pulse
    rates: RateWindows
    panel_chain: PanelChain


class Storage(Protocol):
    def begin(self) -> AbstractContextManager[UnitOfWork]:
        """A new unit of work: committed when the block ends, rolled back if it raised."""
