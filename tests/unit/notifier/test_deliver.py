"""Delivering notices, on the in-memory ledger and mailer: each (notice, recipient) is sent
once; a failed send is retried with backoff; a refusal, a notice past the ladder's next
step or past the give-up hours, or one that cannot be rendered, ends in `notice.failed`;
nothing escapes the work on one delivery, and no more rows are claimed than can be sent."""

from __future__ import annotations

import asyncio
import datetime as dt

import jinja2

from schemas import NoticeEvent
from services.notifier.domain.delivery import SendResult
from services.notifier.domain.message_ids import message_id
from services.notifier.usecases.deliver import Deliverer
from services.notifier.usecases.record_notices import NoticeIntake
from tests.support.notices import notice_event
from tests.unit.notifier.conftest import later, make_notice
from tests.unit.notifier.fakes import FakeMailer, InMemoryLedger

LEASE = dt.timedelta(seconds=60)
GIVE_UP = dt.timedelta(hours=24)
TEMPORARY = SendResult(ok=False, recoverable=True, error="451 try again later")


def deliverer(ledger, mailer, clock, **kw) -> Deliverer:
    return Deliverer(ledger, mailer, "followthrough <noreply@example.org>", give_up_after=GIVE_UP, lease=LEASE,
                     clock=clock, **kw)


def once(ledger, mailer, clock, **kw) -> bool:
    return asyncio.run(deliverer(ledger, mailer, clock, **kw).once())


def test_a_notice_is_delivered_once_to_each_recipient(clock):
    ledger, mailer = InMemoryLedger(), FakeMailer()
    event = notice_event("u1")
    intake = NoticeIntake(ledger, clock=clock)
    intake.handle_many([(None, _data(event))])
    intake.handle_many([(None, _data(event))])  # redelivered by Kafka: recorded once
    assert once(ledger, mailer, clock) is True
    assert once(ledger, mailer, clock) is False
    notice = _data(event).notice
    assert sorted(m["To"] for m in mailer.sent) == sorted(notice.recipients)
    assert {m["Message-ID"] for m in mailer.sent} == {message_id(str(notice.id), r) for r in notice.recipients}
    assert ledger.states() == ["sent", "sent"]
    assert [(e["type"], e["data"]["attempts"]) for e in ledger.events] == [("notice.delivered", 1)] * 2


def test_a_temporary_failure_is_retried_after_the_backoff_then_delivered(clock):
    ledger = InMemoryLedger()
    ledger.record_notices([make_notice(recipients=["owner@example.org"])], clock.now())
    once(ledger, FakeMailer(result=TEMPORARY), clock)
    row = ledger.row("owner@example.org")
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "451 try again later")
    assert row.next_attempt_at == later(clock, 2)
    assert ledger.events == []
    clock.advance(dt.timedelta(seconds=1))
    assert once(ledger, FakeMailer(), clock) is False  # not before the backoff
    clock.advance(dt.timedelta(seconds=1))
    once(ledger, FakeMailer(result=TEMPORARY), clock)
    assert ledger.row("owner@example.org").next_attempt_at == later(clock, 4)  # doubled
    clock.advance(dt.timedelta(seconds=4))
    once(ledger, FakeMailer(), clock)
    assert [(e["type"], e["data"]["attempts"]) for e in ledger.events] == [("notice.delivered", 3)]


def test_a_refused_recipient_is_given_up_at_once_into_notice_failed(clock):
    ledger = InMemoryLedger()
    ledger.record_notices([make_notice(recipients=["owner@example.org"])], clock.now())
    once(ledger, FakeMailer(result=SendResult(ok=False, recoverable=False, error="550 no such user")), clock)
    assert ledger.states() == ["failed"]
    assert [(e["type"], e["data"]["error"]) for e in ledger.events] == [("notice.failed", "550 no such user")]
    assert ledger.claim(later(clock, 86_400), LEASE) == []


def test_failing_past_the_ladders_next_step_is_given_up(clock):
    ledger = InMemoryLedger()
    step = later(clock, 30)
    ledger.record_notices([make_notice(recipients=["owner@example.org"], give_up_after=step)], clock.now())
    once(ledger, FakeMailer(result=TEMPORARY), clock)
    assert ledger.states() == ["pending"]  # before the step: retried
    clock.set(step)
    once(ledger, FakeMailer(result=TEMPORARY), clock)
    assert ledger.states() == ["failed"]
    assert [e["type"] for e in ledger.events] == ["notice.failed"]


def test_failing_past_the_give_up_hours_is_given_up(clock):
    ledger = InMemoryLedger()
    ledger.record_notices([make_notice(recipients=["owner@example.org"], give_up_after=None)], clock.now())
    once(ledger, FakeMailer(result=TEMPORARY), clock)
    clock.advance(GIVE_UP)
    once(ledger, FakeMailer(result=TEMPORARY), clock)
    assert ledger.states() == ["pending"]  # exactly the give-up hours: still tried
    clock.advance(dt.timedelta(seconds=600))
    once(ledger, FakeMailer(result=TEMPORARY), clock)
    assert ledger.states() == ["failed"]
    assert ledger.events[0]["data"]["attempts"] == 3


def test_a_notice_that_cannot_be_rendered_is_failed_at_once_and_not_claimed_again(clock):
    class Broken:
        def render(self, *args):
            raise jinja2.TemplateError("the template does not compile")

    ledger, mailer = InMemoryLedger(), FakeMailer()
    ledger.record_notices([make_notice()], clock.now())
    once(ledger, mailer, clock, renderer=Broken())
    assert ledger.states() == ["failed", "failed"]
    assert [e["type"] for e in ledger.events] == ["notice.failed", "notice.failed"]
    assert all("cannot render: TemplateError" in e["data"]["error"] for e in ledger.events)
    assert mailer.sent == []
    assert ledger.claim(later(clock, 86_400), LEASE) == []  # not after a lease, not ever


def test_a_mailer_that_raises_is_a_failed_attempt_retried_with_backoff(clock):
    ledger = InMemoryLedger()
    ledger.record_notices([make_notice(recipients=["owner@example.org"])], clock.now())
    once(ledger, FakeMailer(raises=RuntimeError("connection pool\nconfused")), clock)
    row = ledger.row("owner@example.org")
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "RuntimeError: connection pool confused")
    assert ledger.events == []
    clock.advance(dt.timedelta(seconds=2))
    once(ledger, FakeMailer(), clock)
    assert ledger.states() == ["sent"]


def test_no_more_rows_are_claimed_than_the_mailer_has_free_slots(clock):
    ledger, mailer = InMemoryLedger(), FakeMailer(slots=4)
    ledger.record_notices([make_notice(f"u{i}") for i in range(10)], clock.now())  # 20 deliveries
    once(ledger, mailer, clock)
    states = ledger.states()
    assert len(mailer.sent) == 4
    assert (states.count("sent"), states.count("pending"), states.count("sending")) == (4, 16, 0)
    assert once(ledger, FakeMailer(slots=0), clock) is False


def test_a_claim_abandoned_mid_send_is_sent_again_with_the_same_message_id(clock):
    ledger, mailer = InMemoryLedger(), FakeMailer()
    notice = make_notice(recipients=["owner@example.org"])
    ledger.record_notices([notice], clock.now())
    ledger.claim(clock.now(), LEASE)  # a replica that died before sending
    assert once(ledger, mailer, clock) is False  # its lease still runs
    clock.advance(LEASE + dt.timedelta(seconds=1))
    once(ledger, mailer, clock)
    (message,) = mailer.sent
    assert message["Message-ID"] == message_id(str(notice.id), "owner@example.org")
    assert ledger.row("owner@example.org").resends == 1
    assert [(e["type"], e["data"]["attempts"]) for e in ledger.events] == [("notice.delivered", 2)]


def test_held_reminders_go_as_one_digest_per_recipient_at_the_digest_time(clock):
    ledger, mailer = InMemoryLedger(), FakeMailer()
    at = later(clock, 3600)
    reminders = [make_notice(f"u{i}", kind="reminder", level=0, recipients=["owner@example.org"]) for i in range(3)]
    ledger.record_notices([*reminders, make_notice("now", recipients=["owner@example.org"])], clock.now(), at)
    once(ledger, mailer, clock)
    assert len(mailer.sent) == 1  # the overdue notice goes at once; the reminders wait
    clock.set(at)
    once(ledger, mailer, clock)
    digest = mailer.sent[1]
    assert digest["Subject"] == "Daily digest: 3 reminders from followthrough"
    assert ledger.states() == ["sent"] * 4
    assert {e["data"]["message_id"] for e in ledger.events[1:]} == {digest["Message-ID"]}


def _data(event: dict) -> NoticeEvent:
    return NoticeEvent.model_validate(event["data"])


def test_a_result_the_ledger_will_not_take_is_left_to_the_lease(clock):
    class Unwritable(InMemoryLedger):
        def mark_sent(self, *args):
            raise ConnectionError("database away")

    ledger, mailer = Unwritable(), FakeMailer()
    ledger.record_notices([make_notice(recipients=["owner@example.org"])], clock.now())
    assert once(ledger, mailer, clock) is True  # nothing escapes the pass
    assert ledger.states() == ["sending"] and ledger.events == []
    assert ledger.claim(later(clock, LEASE.total_seconds() + 1), LEASE)[0].resend  # taken back after the lease
