"""The auditor: does every commitment (and every pending recommendation) with something due have
every notice its state calls for?

It asks the pure ladder what is owed now and compares with what was recorded. A notice owed for
longer than two scan intervals and still not recorded is missing: the scanner should have decided
it by then. The count is `followthrough_missing_notices` (it must be 0). Since when each notice has
been owed is kept in the database, so a restarted replica, or another one, counts it on time.
Rows the scanner parked after an error are listed too (`followthrough_scan_parked_rows`, must be 0).

Which rows a pass reads (docs/contract.md §4, the ladder): the scan picks rows whose
`next_action_on <= today` and, in the transaction that records the day's notices, moves the date
to the ladder's next step after today (`next_action_on`). So a row owing a notice today has its
date on or before today until the notice is recorded; reading that window (by its index, parked
rows included: the scan skips them, the auditor must not) sees every notice a stuck, failing or
absent scanner leaves owed. A row whose date moved on while a notice it was seen to owe is still
not recorded (a scan that moved the date and lost the notice) is read by id from the owed-since
table until the notice is recorded or no longer owed. A scan that loses a notice in the very pass
it falls due, before any audit saw it owed, is not seen here: the full check `owed_notices` (the
whole portfolio, run after every pass of the time machine) is what guards that.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterable, Protocol

import structlog
from prometheus_client import Gauge
from sqlalchemy import Engine

from schemas.policy import Policy, PolicyFile
from services.common.clock import Clock, london_today
from services.tracker.adapters.audit_store import SqlAuditStore
from services.tracker.adapters.audit_store import parked_rows as parked_rows
from services.tracker.domain import decide, decide_response
from services.tracker.domain.model import Commitment, PendingRecommendation

log = structlog.get_logger()
MISSING = Gauge("followthrough_missing_notices",
                "Notices owed for longer than two scan intervals and never recorded")
PARKED = Gauge("followthrough_scan_parked_rows", "Rows the scanner parked after an error, until they change")

Owed = tuple[str, str]  # (commitment or recommendation id, notice key)
# (row id, reads the row as the ladder's subject with its policy; may raise on a bad row)
Subject = tuple[str, Callable[[], tuple[Commitment | PendingRecommendation, Policy]]]


class AuditStore(Protocol):
    def subjects(self, today: dt.date | None, followed: set[str] = frozenset()) -> Iterable[Subject]:
        """The rows due on `today` and the `followed` rows (by id, whatever their date); None: every row."""

    def owed_since(self) -> dict[Owed, dt.datetime]: ...

    def remember(self, new: dict[Owed, dt.datetime], gone: set[Owed]) -> None:
        """Keep `new` (insert-once: a time already kept stays) and forget `gone`."""

    def parked(self) -> list[tuple[str, str, str]]: ...


@dataclass(frozen=True)
class Reckoning:
    new: dict[Owed, dt.datetime]  # owed now, not seen before: owed since now
    gone: set[Owed]  # seen owed before, owed no more (recorded, or the state changed)
    missing: list[Owed]  # owed for longer than the grace


def reckon(owed: set[Owed], since: dict[Owed, dt.datetime], now: dt.datetime, grace: dt.timedelta) -> Reckoning:
    """The rule, pure: what this pass remembers, forgets, and counts missing."""
    return Reckoning(new={k: now for k in owed - since.keys()}, gone=set(since.keys() - owed),
                     missing=sorted(k for k in owed & since.keys() if now - since[k] > grace))


def owed_in(subjects: Iterable[Subject], today: dt.date) -> set[Owed]:
    """Every notice the ladder says is owed today and that is not recorded."""
    return {(row_id, n.key) for row_id, read in subjects for n in _safely(row_id, read, today)}


def owed_notices(engine: Engine, policies: PolicyFile, today: dt.date) -> set[Owed]:
    """The whole portfolio's owed notices (a full read: for checks, not for every pass)."""
    return owed_in(SqlAuditStore(engine, policies).subjects(None), today)


class Auditor:
    """Counts a notice missing once it has been owed (by the owed-since table, shared by replicas)
    for longer than two scan intervals, the time the scanner has to decide it."""

    def __init__(self, engine: Engine, policies: PolicyFile, clock: Clock, scan_interval_s: float,
                 store: AuditStore | None = None) -> None:
        # `engine`: the database the default store reads; None with `store`.
        self.store: AuditStore = store or SqlAuditStore(engine, policies)
        self.clock = clock
        self.grace = dt.timedelta(seconds=2 * scan_interval_s)

    def run(self) -> int:
        now = self.clock.now()
        since = self.store.owed_since()  # before the rows: a time another replica adds meanwhile stays
        today = london_today(now)
        owed = owed_in(self.store.subjects(today, {row_id for row_id, _ in since}), today)
        reckoning = reckon(owed, since, now, self.grace)
        self.store.remember(reckoning.new, reckoning.gone)
        MISSING.set(len(reckoning.missing))
        if reckoning.missing:
            log.error("auditor.missing_notices", count=len(reckoning.missing), first=reckoning.missing[:5])
        parked = self.store.parked()
        PARKED.set(len(parked))
        for table, row_id, error in parked:
            log.error("auditor.parked_row", table=table, row_id=row_id, error=error)
        return len(reckoning.missing)


def _safely(row_id: str, read, today: dt.date) -> list:
    """A row whose ladder cannot be computed is the scanner's to park; it is listed as parked."""
    try:
        subject, policy = read()
        decide_fn = decide if isinstance(subject, Commitment) else decide_response
        return decide_fn(subject, today, policy)
    except Exception as exc:
        log.warning("auditor.row_unreadable", row_id=row_id, error=str(exc))
        return []
