"""The scanner on SQLite (the demo's database) and PostgreSQL: once per key however often it
runs, a lone row is never stuck, and a row that raises is parked without stopping the pass."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import sqlalchemy as sa

from schemas import Recommendation, RecommendationRecorded, make_event, parse_event
from schemas.policy import load_policy_file
from services.common.clock import SYSTEM, SimulatedClock, london_today, utcnow
from services.tracker.adapters.scan_store import SqlScanBatch
from services.tracker.adapters.store import notices
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.bootstrap import bootstrap
from services.tracker.settings import TrackerSettings
from services.tracker.usecases import actions, auditor
from services.tracker.usecases.ingest import Handlers
from services.tracker.usecases.scan import ROW_FAILURES
from tests.support.events import agreed_event, panel_event


def _scanner(engine, clock=None):
    return bootstrap(TrackerSettings(), clock or SYSTEM, engine=engine, run_migrations=False).scanner


def _record(engine, *events):
    for event in events:
        Handlers(SqlStorage(engine), load_policy_file(None)).handle(*parse_event(json.dumps(event).encode()))


def _rows(engine, sql):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).all()


def test_repeated_scans_decide_each_notice_once(engine):
    today = london_today()
    for days in (-40, -16, -2, 3, 12, 90):
        _record(engine, agreed_event(f"x{days}", today + dt.timedelta(days=days),
                                     agreed_on=today - dt.timedelta(days=50)))
    scanner = _scanner(engine)
    first = scanner.run(utcnow())
    again = [scanner.run(utcnow()) for _ in range(3)]
    assert len(first.notices) == 6  # one per commitment: the highest step each has reached
    assert all(r.notices == [] for r in again)
    kinds = sorted(f"{k}:{lv}" for k, lv in _rows(engine, "SELECT kind, level FROM tracker_notices"))
    statuses = sorted(s for (s,) in _rows(engine, "SELECT status FROM tracker_commitments"))
    events = _rows(engine, "SELECT count(*) FROM tracker_outbox WHERE topic = 'followthrough.notices'")[0][0]
    assert kinds == ["escalation:2", "escalation:3", "overdue:1", "reminder:0", "reminder:0", "silent:0"]
    assert statuses.count("lapsed") == 1
    assert events == 6


def test_a_lone_lapse_on_a_quiet_system_is_escalated_once_and_lapses(engine):
    """The first wave's bug: when every row of a batch changed status, the batch's bulk date
    update ran with no rows, the pass failed, and the notice was never recorded."""
    today = london_today()
    event = agreed_event("lone", today - dt.timedelta(days=45), agreed_on=today - dt.timedelta(days=60))
    _record(engine, event)
    scanner = _scanner(engine)
    result = scanner.run(utcnow())
    assert len(result.notices) == 1 and result.parked == []
    with engine.connect() as conn:
        found = conn.execute(sa.select(notices.c.kind, notices.c.level, notices.c.recipients)).all()
    assert found == [("escalation", 3, ["o-lone@example.org", "s-lone@example.org", "l-lone@example.org",
                                        "b-lone@example.org"])]
    assert _rows(engine, "SELECT status FROM tracker_commitments") == [("lapsed",)]
    assert scanner.run(utcnow()).notices == []


def test_a_lone_commitment_kept_by_the_panels_silence(engine):
    clock = SimulatedClock(utcnow())
    today = clock.today()
    event = agreed_event("kept", today + dt.timedelta(days=60), agreed_on=today - dt.timedelta(days=5))
    _record(engine, event)
    cid = event["data"]["commitment"]["id"]
    actions.run(SqlStorage(engine), clock, cid, actions.post_update, note="done", percent=100, evidence_url=None,
                 evidence_note="briefing slides shown to the panel", done=True, summary="Officers were briefed")
    scanner = _scanner(engine, clock)
    assert scanner.run().parked == []
    clock.advance(dt.timedelta(days=29))
    assert scanner.run().parked == []
    assert _rows(engine, "SELECT status FROM tracker_commitments") == [("kept",)]


def test_a_pending_recommendation_recorded_past_its_clock_is_escalated_at_once(engine):
    today = london_today()
    rec = Recommendation(id=uuid.uuid4(), panel="panel-late", raised_on=today - dt.timedelta(days=10),
                         title="Publish the numbers", detail="", themes=["trust"])
    recorded = make_event("recommendation.recorded", str(rec.id),
                          RecommendationRecorded(recommendation=rec, respond_by=today - dt.timedelta(days=3)),
                          source="test")
    _record(engine, panel_event("late"), recorded)
    result = _scanner(engine).run(utcnow())
    assert len(result.notices) == 1
    with engine.connect() as conn:
        found = conn.execute(sa.select(notices.c.key, notices.c.recipients)).all()
    assert found == [("response_due:1", ["s-late@example.org"])]


def test_a_row_that_raises_is_parked_and_the_pass_goes_on(engine):
    today = london_today()
    bad, good = (agreed_event(u, today - dt.timedelta(days=2), agreed_on=today - dt.timedelta(days=20))
                 for u in ("bad", "good"))
    _record(engine, bad, good)
    bad_id = bad["data"]["commitment"]["id"]
    with engine.begin() as conn:  # a row the ladder cannot read (as a bug or bad data would make)
        conn.execute(sa.text("UPDATE tracker_commitments SET policy = :p WHERE id = :id"),
                     {"p": json.dumps({"update_every_days": "often"}), "id": bad_id})
    before = ROW_FAILURES._value.get()
    clock = SimulatedClock(utcnow())
    scanner = _scanner(engine, clock)
    result = scanner.run()
    assert result.parked == [bad_id] and len(result.notices) == 1
    assert ROW_FAILURES._value.get() == before + 1
    (error,) = _rows(engine, f"SELECT parked_error FROM tracker_commitments WHERE id = '{bad_id}'")[0]
    assert "update_every_days" in error
    assert scanner.run().parked == []  # skipped by later passes until it changes
    assert [r[1] for r in auditor.parked_rows(engine)] == [bad_id]

    with engine.begin() as conn:  # repaired; a change to the commitment puts it back in the scan
        conn.execute(sa.text("UPDATE tracker_commitments SET policy = :p WHERE id = :id"),
                     {"p": json.dumps(load_policy_file(None).for_panel("x").model_dump(mode="json")), "id": bad_id})
    actions.run(SqlStorage(engine), clock, bad_id, actions.post_update, note="on it", percent=None, evidence_url=None,
                 evidence_note=None, done=False, summary=None)
    assert auditor.parked_rows(engine) == []
    result = scanner.run()
    assert result.parked == [] and len(result.notices) == 1


def test_the_auditor_counts_a_notice_owed_and_not_recorded_after_two_scan_intervals(engine):
    """The old bug's situation: a lone lapse whose scan never succeeds is counted missing."""
    today = london_today()
    _record(engine, agreed_event("stuck", today - dt.timedelta(days=45), agreed_on=today - dt.timedelta(days=60)))
    clock = SimulatedClock(utcnow())
    audit = auditor.Auditor(engine, load_policy_file(None), clock, scan_interval_s=60)
    assert audit.run() == 0  # just owed: the scanner has two intervals to decide it
    clock.advance(dt.timedelta(seconds=121))
    assert audit.run() == 1
    assert auditor.MISSING._value.get() == 1
    _scanner(engine, clock).run()
    assert audit.run() == 0


def test_a_batch_that_meets_a_notice_already_recorded_is_decided_again_row_by_row(engine, monkeypatch):
    """A batch writes its notices, timeline entries and events together at its end. If one of its
    notices is already in the table (recorded by someone the batch did not see), the batch is rolled
    back and decided again row by row: the others are recorded once, the existing one is not repeated,
    and each timeline stays a single unbroken chain."""
    today = london_today()
    for days in (-40, -16, -2):
        _record(engine, agreed_event(f"y{days}", today + dt.timedelta(days=days),
                                     agreed_on=today - dt.timedelta(days=50)))
    scanner = _scanner(engine)
    first = scanner.run(utcnow())  # records the three notices
    assert len(first.notices) == 3
    with engine.begin() as conn:  # forget two of them, and let the batch not see the third
        conn.execute(sa.text("DELETE FROM tracker_notices WHERE id != (SELECT min(id) FROM tracker_notices)"))
        conn.execute(sa.text("DELETE FROM tracker_outbox"))
        conn.execute(sa.text("DELETE FROM tracker_timeline WHERE kind != 'agreed'"))
        conn.execute(sa.text("UPDATE tracker_commitments SET next_action_on = :d, status = 'open'"), {"d": today})
    monkeypatch.setattr(SqlScanBatch, "sent_keys", lambda self, rec_ids: {})
    again = scanner.run(utcnow())
    assert len(again.notices) == 2  # the one already there is not recorded again
    assert _rows(engine, "SELECT count(*) FROM tracker_notices")[0][0] == 3
    assert _rows(engine, "SELECT count(*) FROM tracker_outbox WHERE topic = 'followthrough.notices'")[0][0] == 2
    seqs = _rows(engine, "SELECT commitment_id, seq FROM tracker_timeline ORDER BY commitment_id, seq")
    by_commitment: dict = {}
    for cid, seq in seqs:
        by_commitment.setdefault(cid, []).append(seq)
    assert all(s == list(range(1, len(s) + 1)) for s in by_commitment.values())


def test_retry_parked_decides_a_repaired_row_again_without_waiting_for_a_change(engine):
    """After a fix is deployed (`followthrough scan --retry-parked`): no one has to touch the row."""
    today = london_today()
    bad = agreed_event("retry", today - dt.timedelta(days=2), agreed_on=today - dt.timedelta(days=20))
    _record(engine, bad)
    bad_id = bad["data"]["commitment"]["id"]
    policy = _rows(engine, f"SELECT policy FROM tracker_commitments WHERE id = '{bad_id}'")[0][0]
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE tracker_commitments SET policy = :p WHERE id = :id"),
                     {"p": json.dumps({"update_every_days": "often"}), "id": bad_id})
    scanner = _scanner(engine, SimulatedClock(utcnow()))
    assert scanner.run().parked == [bad_id]
    assert scanner.retry_parked()[0] == 1 and [r[1] for r in auditor.parked_rows(engine)] == [bad_id]  # still bad
    with engine.begin() as conn:  # the repair, as a deployed fix would make it readable again
        conn.execute(sa.text("UPDATE tracker_commitments SET policy = :p WHERE id = :id"),
                     {"p": policy if isinstance(policy, str) else json.dumps(policy), "id": bad_id})
    assert scanner.run().parked == [] and scanner.run().notices == []  # parked rows wait for a change
    unparked, result = scanner.retry_parked()
    assert unparked == 1 and result.parked == [] and len(result.notices) == 1
    assert auditor.parked_rows(engine) == []
