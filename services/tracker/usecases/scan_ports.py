"""What the scan asks of storage, as protocols: a store opens one transaction per batch of due
rows (`ScanBatch`), and a batch writes what was decided through a `ScanWriter`. The adapters
(`adapters/scan_store.py`, `adapters/scan_writers.py`) implement them on the database; the
unit tests on a fake in memory. Which writer a batch uses is chosen when the store is built."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, Sequence

Due = Literal["commitments", "recommendations"]  # the two kinds of rows a scan claims


class ScanWriter(Protocol):
    """Where a batch's notices, timeline entries and events go: at once, or held until `flush`."""

    def notice(self, row: dict[str, Any], event: dict) -> bool:
        """Record a notice and its event; False if it was recorded before (a held notice is checked
        at `flush`)."""

    def append(self, commitment_id: str, kind: str, entry: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
        """Append a timeline entry to the commitment's chain; the record, hash included."""

    def event(self, event: dict) -> None:
        """Queue an event in the outbox."""

    def flush(self) -> None:
        """Write what is held. Raises `AlreadyRecorded` if a held notice was recorded by someone else."""


class ScanBatch(Protocol):
    """One transaction over a batch of due rows of one kind."""

    def claim(self, today: dt.date, limit: int) -> Sequence[Any]: ...

    def sent_keys(self, recommendation_ids: list[str]) -> dict[str, frozenset[str]]: ...

    def recommendations(self, ids: list[str]) -> dict[str, Any]: ...

    def panels(self, slugs: set[str]) -> dict[str, Any]: ...

    def savepoint(self) -> AbstractContextManager[Any]:
        """Undo one row's writes if it raises, keeping the rest of the batch."""

    def writer(self, rows: Sequence[Any]) -> ScanWriter: ...

    def set_columns(self, commitment_id: str, values: dict[str, Any]) -> Any:
        """Write a commitment's columns; the row as it now is."""

    def move_dates(self, moves: list[tuple[str, dt.date | None]]) -> None:
        """Set each (row id, next date) of the batch, in one statement."""

    def park(self, row_id: str, error: str, now: dt.datetime) -> None: ...


class ScanStore(Protocol):
    def batch(self, due: Due, *, isolated: bool) -> AbstractContextManager[ScanBatch]:
        """A transaction; `isolated`: its rows will run in savepoints and must learn at once whether
        each notice is new (an immediate writer), whatever the store's writer for a whole batch."""

    def unpark(self, today: dt.date) -> int:
        """Clear every parked row's mark and make it due `today`, in one transaction; how many."""


@dataclass(frozen=True)
class BatchContext:
    """What a batch's rows need, loaded once: the notices already sent, by recommendation, and the
    rows' recommendations (commitments) or panels (pending recommendations)."""

    sent: dict[str, frozenset[str]]
    recommendations: dict[str, Any] = field(default_factory=dict)
    panels: dict[str, Any] = field(default_factory=dict)
