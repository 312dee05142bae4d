"""The scan's rules on a store in memory: each notice decided once, kept and lapsed by time
alone, a row that raises parked while the others go on, dates moved on, and a batch that meets
a notice recorded already decided again row by row. The database's side of the same rules is
in tests/integration/tracker/test_scan.py."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.policy import Policy, PolicyFile
from services.tracker.adapters import convert
from services.tracker.domain import decide, settle
from services.tracker.usecases.notices import NoticeRecorder
from services.tracker.usecases.scan import Scanner
from tests.unit.tracker.fake_scan_store import FakeBatch, FakeScanStore

TODAY = dt.date(2026, 3, 10)
NOW = dt.datetime(2026, 3, 10, 12, tzinfo=dt.timezone.utc)


def _scanner(store: FakeScanStore, batch: int = 200) -> Scanner:
    recorder = NoticeRecorder("http://test", lambda cid, email, handovers: f"http://test/respond/{cid}")
    return Scanner(None, PolicyFile(), recorder, batch=batch, store=store)


def _agreed(store: FakeScanStore, due: dt.date, agreed_on: dt.date, **columns) -> str:
    """A commitment the tracker first heard of today (steps already past collapse into one)."""
    return store.add_commitment(due, agreed_on, **{"ladder_since": max(TODAY, agreed_on), **columns})


def _days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def test_each_notice_is_decided_once_however_often_the_scan_runs():
    store = FakeScanStore()
    for due in (-40, -16, -2, 3, 12, 90):
        _agreed(store, _days(due), _days(-50))
    scanner = _scanner(store)
    first = scanner.run(NOW)
    again = [scanner.run(NOW) for _ in range(3)]
    assert len(first.notices) == 6 and all(r.notices == [] for r in again)
    kinds = sorted(f"{n['kind']}:{n['level']}" for n in store.notices.values())
    assert kinds == ["escalation:2", "escalation:3", "overdue:1", "reminder:0", "reminder:0", "silent:0"]
    assert sum(e["type"] == "notice.requested" for e in store.outbox) == 6


@settings(max_examples=200, deadline=None)
@given(due=st.integers(-200, 200), agreed_before=st.integers(1, 300))
def test_the_scan_records_exactly_what_the_ladder_owes(due, agreed_before):
    store = FakeScanStore()
    cid = _agreed(store, _days(due), _days(-agreed_before))
    owed = {n.key for n in decide(convert.commitment(_row(store, cid)), TODAY, Policy())}
    _scanner(store).run(NOW)
    assert {n["key"] for n in store.notices.values()} == owed
    assert _scanner(store).run(NOW).notices == []


def test_a_done_commitment_the_panel_did_not_answer_is_kept_on_the_day_silence_counted():
    store = FakeScanStore()
    cid = _agreed(store, _days(10), _days(-100), status="done", done_on=_days(-40))
    policy = Policy()
    kept_on = settle(convert.commitment(_row(store, cid)), "kept", policy).kept_on
    _scanner(store).run(NOW)
    row = store.tables["commitments"][cid]
    assert (row["status"], row["kept_on"]) == ("kept", kept_on) and kept_on == _days(-40 + policy.confirm_within_days)
    assert store.entries(cid)[-1]["kind"] == "kept"
    assert store.entries(cid)[-1]["entry"]["kept_on"] == kept_on.isoformat()
    assert [e["type"] for e in store.outbox] == ["commitment.confirmed"]


def test_a_commitment_past_the_last_escalation_lapses_with_its_entry_and_event():
    store = FakeScanStore()
    cid = _agreed(store, _days(-45), _days(-60))
    result = _scanner(store).run(NOW)
    row = store.tables["commitments"][cid]
    assert row["status"] == "lapsed" and len(result.notices) == 1
    assert [e["kind"] for e in store.entries(cid)] == ["agreed", "escalation", "lapsed"]
    assert [e["type"] for e in store.outbox if e["type"].startswith("commitment.")] == [
        "commitment.escalated", "commitment.escalated"]


def test_a_row_that_raises_is_parked_and_the_others_go_on():
    store = FakeScanStore()
    bad = _agreed(store, _days(-2), _days(-20), policy={"update_every_days": "often"})
    good = _agreed(store, _days(-2), _days(-20))
    scanner = _scanner(store)
    result = scanner.run(NOW)
    assert result.parked == [bad] and len(result.notices) == 1
    assert store.tables["commitments"][bad]["parked_at"] == NOW
    assert "update_every_days" in store.tables["commitments"][bad]["parked_error"]
    assert [n["commitment_id"] for n in store.notices.values()] == [good]
    assert store.batches[:2] == [("commitments", False), ("commitments", True)]  # tried whole, then row by row
    assert scanner.run(NOW).parked == []  # skipped until it changes


def test_a_row_with_nothing_due_has_its_date_moved_to_its_next_step():
    store = FakeScanStore()
    cid = _agreed(store, _days(60), TODAY)
    result = _scanner(store).run(NOW)
    assert result.notices == []
    # the silence nudge (30 days after agreeing) comes before the first reminder (14 days before due)
    assert store.tables["commitments"][cid]["next_action_on"] == _days(30)


def test_a_batch_that_meets_a_notice_recorded_already_is_decided_again_row_by_row(monkeypatch):
    store = FakeScanStore()
    ids = [_agreed(store, _days(d), _days(-50)) for d in (-40, -16, -2)]
    scanner = _scanner(store)
    scanner.run(NOW)
    kept = next(iter(store.notices.values()))
    store.notices = {kept["id"]: kept}  # forget two, and make the batch blind to the third
    store.outbox, store.timeline = [], [e for e in store.timeline if e["kind"] == "agreed"]
    for cid in ids:
        store.tables["commitments"][cid].update(next_action_on=TODAY, status="open")
    monkeypatch.setattr(FakeBatch, "sent_keys", lambda self, ids: {})
    again = scanner.run(NOW)
    assert len(again.notices) == 2 and len(store.notices) == 3
    assert sum(e["type"] == "notice.requested" for e in store.outbox) == 2
    assert all([e["seq"] for e in store.entries(cid)] == list(range(1, len(store.entries(cid)) + 1)) for cid in ids)


def test_an_immediate_writer_wired_in_decides_the_same_notices_in_one_go():
    for batched in (True, False):
        store = FakeScanStore(batched=batched)
        for due in (-40, -2, 12):
            _agreed(store, _days(due), _days(-50))
        assert len(_scanner(store, batch=2).run(NOW).notices) == 3
        assert all(not isolated for _, isolated in store.batches)


def test_a_pending_recommendation_past_its_clock_tells_the_supervisor():
    store = FakeScanStore()
    rid = store.add_pending(respond_by=_days(-3), since=_days(-20))
    result = _scanner(store).run(NOW)
    assert [(n["key"], n["recipients"]) for n in store.notices.values()] == [("response_due:1", ["s@example.org"])]
    assert result.recommendations == 1
    assert store.tables["recommendations"][rid]["next_action_on"] == _days(-3 + 1 + 14)
    assert json.loads(json.dumps(store.outbox[0], default=str))["type"] == "notice.requested"


def _row(store: FakeScanStore, cid: str):
    return SimpleNamespace(**store.tables["commitments"][cid])


def test_retry_parked_unparks_every_parked_row_and_decides_it_again():
    store = FakeScanStore()
    bad = _agreed(store, _days(-2), _days(-20), policy={"update_every_days": "often"})
    scanner = _scanner(store)
    assert scanner.run(NOW).parked == [bad] and not store.notices
    store.tables["commitments"][bad]["policy"] = {"update_every_days": 14}  # the fix, deployed
    unparked, result = scanner.retry_parked(NOW)
    assert unparked == 1 and result.parked == [] and len(result.notices) == 1
    row = store.tables["commitments"][bad]
    assert row["parked_at"] is None and row["parked_error"] is None
    assert [n["commitment_id"] for n in store.notices.values()] == [bad]


def test_retry_parked_parks_again_a_row_that_still_raises():
    store = FakeScanStore()
    bad = _agreed(store, _days(-2), _days(-20), policy={"update_every_days": "often"})
    scanner = _scanner(store)
    scanner.run(NOW)
    unparked, result = scanner.retry_parked(NOW)
    assert unparked == 1 and result.parked == [bad]
    assert store.tables["commitments"][bad]["parked_at"] == NOW
