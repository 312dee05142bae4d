"""Results are written compare-and-set on the claim: a claimant whose lease ran out,
and whose row another replica has since claimed, cannot overwrite that claim's result."""

from __future__ import annotations

import datetime as dt

from services.notifier import ledger
from tests.unit.notifier.conftest import delivery_rows, later, make_notice, outbox_events

LEASE = dt.timedelta(seconds=60)


def test_a_stale_claimant_cannot_overwrite_the_newer_claim(engine, clock):
    ledger.record_notices(engine, [make_notice(recipients=["owner@example.org"])], clock.now())
    (first,) = ledger.claim(engine, clock.now(), LEASE)
    clock.advance(LEASE + dt.timedelta(seconds=1))
    (second,) = ledger.claim(engine, clock.now(), LEASE)  # another replica: the first lease ran out
    assert second.resend
    # The first claimant's late results are ignored, whatever they say.
    assert not ledger.mark_failed(engine, first, clock.now(), "451 try later", later(clock, 30))
    assert [r.state for r in delivery_rows(engine)] == ["sending"]
    assert not ledger.mark_failed(engine, first, clock.now(), "550 refused", None)
    assert not ledger.mark_sent(engine, first, clock.now())
    assert [r.state for r in delivery_rows(engine)] == ["sending"]
    assert outbox_events(engine) == []
    # The current claim's result stands, once.
    assert ledger.mark_sent(engine, second, clock.now())
    assert [r.state for r in delivery_rows(engine)] == ["sent"]
    assert [(e["type"], e["data"]["attempts"]) for e in outbox_events(engine)] == [("notice.delivered", 2)]


def test_claim_takes_no_more_than_asked(engine, clock):
    ledger.record_notices(engine, [make_notice(f"u{i}") for i in range(5)], clock.now())
    assert len(ledger.claim(engine, clock.now(), LEASE, limit=3)) == 3
    assert ledger.claim(engine, clock.now(), LEASE, limit=0) == []


def test_digests_are_claimed_for_no_more_recipients_than_asked(engine, clock):
    notices = [make_notice(f"u{i}", kind="reminder", level=0, recipients=[f"owner{i % 3}@example.org"])
               for i in range(6)]
    ledger.record_notices(engine, notices, clock.now(), digest_at=clock.now())
    grouped = ledger.claim_digests(engine, clock.now(), recipients=2)
    assert sorted(grouped) == ["owner0@example.org", "owner1@example.org"]
    assert all(len(claims) == 2 for claims in grouped.values())
    assert list(ledger.claim_digests(engine, clock.now(), recipients=2)) == ["owner2@example.org"]
