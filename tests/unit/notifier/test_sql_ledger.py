"""The ledger's promises, checked on the SQL ledger (SQLite here; PostgreSQL in the
integration tests) and on the in-memory one the use-case tests run on, so the fake keeps them.

Results are written compare-and-set on the claim: a claimant whose lease ran out,
and whose row another replica has since claimed, cannot overwrite that claim's result."""

from __future__ import annotations

import datetime as dt

import pytest

from services.notifier.adapters.sql_ledger import SqlLedger
from tests.unit.notifier.conftest import delivery_rows, later, make_notice, outbox_events
from tests.unit.notifier.fakes import InMemoryLedger

LEASE = dt.timedelta(seconds=60)


@pytest.fixture(params=["sql", "memory"])
def ledger(request):
    if request.param == "memory":
        return InMemoryLedger()
    return SqlLedger(request.getfixturevalue("engine"))


def states(ledger) -> list[str]:
    return ledger.states() if isinstance(ledger, InMemoryLedger) else [r.state for r in delivery_rows(ledger.engine)]


def events(ledger) -> list[dict]:
    return ledger.events if isinstance(ledger, InMemoryLedger) else outbox_events(ledger.engine)


def test_a_notice_is_recorded_once_with_one_delivery_per_recipient(ledger, clock):
    notice = make_notice(recipients=["a@example.org", "b@example.org", "a@example.org"])
    assert ledger.record_notices([notice], clock.now()) == 1
    assert ledger.record_notices([notice], clock.now()) == 0
    assert states(ledger) == ["pending", "pending"]


def test_a_stale_claimant_cannot_overwrite_the_newer_claim(ledger, clock):
    ledger.record_notices([make_notice(recipients=["owner@example.org"])], clock.now())
    (first,) = ledger.claim(clock.now(), LEASE)
    clock.advance(LEASE + dt.timedelta(seconds=1))
    (second,) = ledger.claim(clock.now(), LEASE)  # another replica: the first lease ran out
    assert second.resend and second.attempts == 2
    # The first claimant's late results are ignored, whatever they say.
    assert not ledger.mark_failed(first, clock.now(), "451 try later", later(clock, 30))
    assert states(ledger) == ["sending"]
    assert not ledger.mark_failed(first, clock.now(), "550 refused", None)
    assert not ledger.mark_sent(first, clock.now())
    assert states(ledger) == ["sending"]
    assert events(ledger) == []
    # The current claim's result stands, once.
    assert ledger.mark_sent(second, clock.now())
    assert not ledger.mark_sent(second, clock.now())
    assert states(ledger) == ["sent"]
    assert [(e["type"], e["data"]["attempts"]) for e in events(ledger)] == [("notice.delivered", 2)]


def test_a_retry_waits_and_a_give_up_says_so(ledger, clock):
    ledger.record_notices([make_notice(recipients=["owner@example.org"])], clock.now())
    (c,) = ledger.claim(clock.now(), LEASE)
    assert ledger.mark_failed(c, clock.now(), "451 try later", later(clock, 30))
    assert states(ledger) == ["pending"] and events(ledger) == []
    assert ledger.claim(later(clock, 29), LEASE) == []
    (c,) = ledger.claim(later(clock, 30), LEASE)
    assert ledger.mark_failed(c, clock.now(), "550 refused", None)
    assert states(ledger) == ["failed"]
    assert [(e["type"], e["data"]["error"]) for e in events(ledger)] == [("notice.failed", "550 refused")]


def test_claim_takes_no_more_than_asked(ledger, clock):
    ledger.record_notices([make_notice(f"u{i}") for i in range(5)], clock.now())
    assert len(ledger.claim(clock.now(), LEASE, limit=3)) == 3
    assert ledger.claim(clock.now(), LEASE, limit=0) == []


def test_digests_are_claimed_for_no_more_recipients_than_asked(ledger, clock):
    notices = [make_notice(f"u{i}", kind="reminder", level=0, recipients=[f"owner{i % 3}@example.org"])
               for i in range(6)]
    ledger.record_notices(notices, clock.now(), digest_at=clock.now())
    grouped = ledger.claim_digests(clock.now(), recipients=2)
    assert sorted(grouped) == ["owner0@example.org", "owner1@example.org"]
    assert all(len(claims) == 2 for claims in grouped.values())
    assert list(ledger.claim_digests(clock.now(), recipients=2)) == ["owner2@example.org"]
