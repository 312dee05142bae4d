"""The auditor on SQLite and PostgreSQL: since when a notice is owed is kept in the database, so a
restarted auditor (or another replica) counts it missing on time; a pass reads only the rows with
something due, and keeps following a row it saw owe a notice after the row's date moved on."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from schemas import parse_event
from schemas.policy import load_policy_file
from services.common.clock import SimulatedClock, london_today, utcnow
from services.tracker.adapters.audit_store import SqlAuditStore
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.bootstrap import bootstrap
from services.tracker.settings import TrackerSettings
from services.tracker.usecases import auditor
from services.tracker.usecases.ingest import Handlers
from tests.support.events import agreed_event

POLICIES = load_policy_file(None)
GRACE = dt.timedelta(seconds=121)  # just over two scan intervals of 60 s


def _record(engine, *events):
    for event in events:
        Handlers(SqlStorage(engine), POLICIES).handle(*parse_event(json.dumps(event).encode()))


def _auditor(engine, clock):
    """A new Auditor object each time: what a restarted replica, or another replica, builds."""
    return auditor.Auditor(engine, POLICIES, clock, scan_interval_s=60)


def _lapsed(engine, uid: str) -> None:
    today = london_today()
    _record(engine, agreed_event(uid, today - dt.timedelta(days=45), agreed_on=today - dt.timedelta(days=60)))


def test_a_notice_owed_before_a_restart_is_counted_missing_two_intervals_after_it_became_owed(engine):
    _lapsed(engine, "stuck")
    clock = SimulatedClock(utcnow())
    assert _auditor(engine, clock).run() == 0  # just owed: the scanner has two intervals to decide it
    clock.advance(GRACE)
    assert _auditor(engine, clock).run() == 1  # restarted: it remembers since when
    assert auditor.MISSING._value.get() == 1


def test_another_replica_counts_the_same_notice_and_a_recorded_notice_is_forgotten(engine):
    _lapsed(engine, "shared")
    clock = SimulatedClock(utcnow())
    first, second = _auditor(engine, clock), _auditor(engine, clock)
    assert first.run() == 0 and second.run() == 0  # both saw it owed; one row remembers since when
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM tracker_owed_notices")).scalar() == 1
    clock.advance(GRACE)
    assert second.run() == 1
    bootstrap(TrackerSettings(), clock, engine=engine, run_migrations=False).scanner.run()
    assert first.run() == 0
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM tracker_owed_notices")).scalar() == 0


def test_a_notice_seen_owed_is_still_counted_after_its_rows_date_moved_on_without_it(engine):
    """The scan picks rows by `next_action_on <= today` and moves the date on in the same
    transaction that records the day's notices. A row whose date moved on while the notice it was
    seen to owe is still not recorded (a scan that moved the date and lost the notice) is followed
    by id from the owed-since table until the notice is recorded."""
    _lapsed(engine, "moved")
    clock = SimulatedClock(utcnow())
    assert _auditor(engine, clock).run() == 0
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE tracker_commitments SET next_action_on = :d"),
                     {"d": london_today() + dt.timedelta(days=30)})
    clock.advance(GRACE)
    assert _auditor(engine, clock).run() == 1


def _ids(engine, where: str, **params) -> set[str]:
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(sa.text(f"SELECT id FROM tracker_commitments WHERE {where}"), params)}


def test_a_pass_reads_only_the_rows_with_something_due_and_the_rows_it_saw_owing(engine):
    today = london_today()
    for i in range(20):
        _record(engine, agreed_event(f"later{i}", today + dt.timedelta(days=200), agreed_on=today))
    clock = SimulatedClock(utcnow())
    bootstrap(TrackerSettings(), clock, engine=engine, run_migrations=False).scanner.run()
    _lapsed(engine, "due")
    (due,) = _ids(engine, "panel = 'panel-due'")
    assert len(_ids(engine, "next_action_on > :d", d=today)) == 20  # active, nothing due for months
    store = SqlAuditStore(engine, POLICIES)
    assert [row_id for row_id, _ in store.subjects(today)] == [due]
    assert len(list(store.subjects(None))) == 21  # the whole portfolio, for the full check only

    _auditor(engine, clock).run()  # sees it owed
    with engine.begin() as conn:  # its date moves on without the notice
        conn.execute(sa.text("UPDATE tracker_commitments SET next_action_on = :d WHERE id = :id"),
                     {"d": today + dt.timedelta(days=30), "id": due})
    assert [row_id for row_id, _ in store.subjects(today)] == []  # its date moved on
    followed = {row_id for row_id, _ in store.owed_since()}
    assert [row_id for row_id, _ in store.subjects(today, followed)] == [due]  # followed by id


def test_a_parked_row_the_scan_skips_is_still_in_the_window_and_its_notice_counted(engine):
    """The scan picks due rows that are not parked; the auditor reads the due rows parked or not."""
    _lapsed(engine, "parked")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE tracker_commitments SET parked_at = :t, parked_error = 'boom'"), {"t": utcnow()})
    clock = SimulatedClock(utcnow())
    assert _auditor(engine, clock).run() == 0
    bootstrap(TrackerSettings(), clock, engine=engine, run_migrations=False).scanner.run()  # skips it
    clock.advance(GRACE)
    assert _auditor(engine, clock).run() == 1 and auditor.PARKED._value.get() == 1
