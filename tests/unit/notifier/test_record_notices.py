"""Recording `notice.requested`: once per notice id, the sender woken only for something new,
reminders held until the next London digest time, and any other event refused."""

from __future__ import annotations

import datetime as dt

import pytest

from schemas import NoticeEvent
from schemas.envelope import CloudEvent
from services.common.clock import SimulatedClock
from services.common.consumer import Rejected
from services.notifier.usecases.record_notices import NoticeIntake
from tests.support.notices import notice_event
from tests.unit.notifier.fakes import InMemoryLedger


def item(event: dict) -> tuple[CloudEvent, object]:
    return CloudEvent.model_validate(event), NoticeEvent.model_validate(event["data"])


def test_the_sender_is_woken_only_for_a_new_notice(clock):
    wakes, ledger = [], InMemoryLedger()
    intake = NoticeIntake(ledger, wake=lambda: wakes.append(1), clock=clock)
    event = notice_event("u1")
    intake.handle_many([item(event)])
    intake.handle_many([item(event)])
    assert len(wakes) == 1
    assert ledger.states() == ["pending", "pending"]


def test_reminders_wait_for_the_next_digest_time_in_london():
    clock = SimulatedClock(dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.timezone.utc))  # 10:00 in London (BST)
    ledger = InMemoryLedger()
    intake = NoticeIntake(ledger, digest_at=dt.time(8, 0), clock=clock)
    intake.handle_many([item(notice_event("r", "reminder", 0, recipients=["o@example.org"])),
                        item(notice_event("o", "overdue", 1, recipients=["p@example.org"]))])
    held, now = ledger.row("o@example.org"), ledger.row("p@example.org")
    assert (held.state, held.next_attempt_at) == ("digest", dt.datetime(2026, 7, 2, 7, 0, tzinfo=dt.timezone.utc))
    assert (now.state, now.next_attempt_at) == ("pending", clock.now())


def test_an_event_that_is_not_a_notice_is_refused(clock):
    ledger = InMemoryLedger()
    envelope, _ = item(notice_event("u1"))
    with pytest.raises(Rejected):
        NoticeIntake(ledger, clock=clock).handle_many([(envelope, object())])
    assert ledger.rows == {}
