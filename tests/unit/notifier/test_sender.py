"""Nothing escapes the sender's work on one delivery: a notice that cannot be
rendered is given up at once (`notice.failed`), a mailer that raises is a failed
attempt retried with backoff, and no more rows are claimed than can be sent now."""

from __future__ import annotations

import asyncio
import datetime as dt

import jinja2

from services.notifier import ledger
from services.notifier import sender as sender_mod
from services.notifier.sender import Sender
from tests.unit.notifier.conftest import FakeMailer, delivery_rows, later, make_notice, outbox_events

LEASE = dt.timedelta(seconds=60)


def make_sender(engine, mailer, clock) -> Sender:
    return Sender(engine, mailer, "followthrough <noreply@example.org>", give_up_after=dt.timedelta(hours=24),
                  lease=LEASE, clock=clock)


def test_a_notice_that_cannot_be_rendered_is_failed_at_once_and_not_claimed_again(engine, clock, monkeypatch):
    def broken(*args, **kwargs):
        raise jinja2.TemplateError("the template does not compile")

    monkeypatch.setattr(sender_mod, "render", broken)
    notice = make_notice()
    ledger.record_notices(engine, [notice], clock.now())
    mailer = FakeMailer()
    asyncio.run(make_sender(engine, mailer, clock).once())
    assert [r.state for r in delivery_rows(engine)] == ["failed", "failed"]
    events = outbox_events(engine)
    assert [e["type"] for e in events] == ["notice.failed", "notice.failed"]
    assert all("cannot render: TemplateError" in e["data"]["error"] for e in events)
    assert mailer.sent == []
    assert ledger.claim(engine, later(clock, 86_400), LEASE) == []  # not after a lease, not ever


def test_a_mailer_that_raises_is_a_failed_attempt_retried_with_backoff(engine, clock):
    ledger.record_notices(engine, [make_notice(recipients=["owner@example.org"])], clock.now())
    asyncio.run(make_sender(engine, FakeMailer(raises=RuntimeError("connection pool\nconfused")), clock).once())
    (row,) = delivery_rows(engine)
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.last_error == "RuntimeError: connection pool confused"
    assert outbox_events(engine) == []
    # Retried after the backoff, and delivered once the mailer works.
    assert ledger.claim(engine, later(clock, 1), LEASE) == []
    clock.advance(dt.timedelta(seconds=2))
    asyncio.run(make_sender(engine, FakeMailer(), clock).once())
    assert [r.state for r in delivery_rows(engine)] == ["sent"]


def test_no_more_rows_are_claimed_than_the_mailer_has_free_slots(engine, clock):
    ledger.record_notices(engine, [make_notice(f"u{i}") for i in range(10)], clock.now())  # 20 deliveries
    mailer = FakeMailer(slots=4)
    asyncio.run(make_sender(engine, mailer, clock).once())
    states = [r.state for r in delivery_rows(engine)]
    assert len(mailer.sent) == 4
    assert (states.count("sent"), states.count("pending"), states.count("sending")) == (4, 16, 0)


def test_a_mailer_with_no_free_slot_gets_nothing_claimed(engine, clock):
    ledger.record_notices(engine, [make_notice()], clock.now())
    mailer = FakeMailer(slots=0)
    assert asyncio.run(make_sender(engine, mailer, clock).once()) is False
    assert [r.state for r in delivery_rows(engine)] == ["pending", "pending"]
