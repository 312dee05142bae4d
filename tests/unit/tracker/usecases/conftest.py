"""A tracker on the in-memory storage: events fed through the real ingest use case, commands run
through the real `actions.run`, at a simulated time."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from schemas import (
    DeliveryEvent,
    Recommendation,
    RecommendationDeclined,
    RecommendationRecorded,
    make_event,
    parse_event,
)
from schemas.policy import load_policy_file
from services.common.clock import SimulatedClock
from services.tracker.usecases import actions
from services.tracker.usecases.ingest import Handlers
from services.tracker.usecases.notices import NoticeRecorder
from tests.support.events import agreed_event, panel_event
from tests.unit.tracker.fakes import FakeStorage

UID = "fake"
SLUG = f"panel-{UID}"
TODAY = dt.date(2026, 11, 26)


class World:
    def __init__(self, storage=None) -> None:
        self.storage = storage if storage is not None else FakeStorage()
        self.clock = SimulatedClock(dt.datetime(2026, 11, 26, 12, tzinfo=dt.timezone.utc))
        self.policies = load_policy_file(None)
        self.handlers = Handlers(self.storage, self.policies)
        self.recorder = NoticeRecorder("https://tracker.test", lambda cid, email, handovers: f"link:{cid}")
        self.feed(panel_event(UID))

    def feed(self, event: dict) -> None:
        self.handlers.handle(*parse_event(json.dumps(event).encode()))

    def agree(self, due_in: int = 60, agreed_ago: int = 20) -> dict:
        """A recommendation agreed `agreed_ago` days ago, due `due_in` days from today: its event."""
        event = agreed_event(UID, TODAY + dt.timedelta(days=due_in), agreed_on=TODAY - dt.timedelta(days=agreed_ago))
        self.feed(event)
        return event

    def commitment(self, due_in: int = 60) -> str:
        return self.agree(due_in)["data"]["commitment"]["id"]

    def recommendation(self) -> Recommendation:
        return Recommendation(id=uuid.uuid4(), panel=SLUG, raised_on=TODAY - dt.timedelta(days=5),
                              title="Youth officers in schools", detail="", themes=["respect"])

    def decline(self, rec: Recommendation, reason: str = "No budget this year") -> dict:
        event = make_event("recommendation.declined", str(rec.id),
                           RecommendationDeclined(recommendation=rec, reason=reason), source="test")
        self.feed(event)
        return event

    def record_pending(self, rec: Recommendation, respond_in: int = 56) -> dict:
        data = RecommendationRecorded(recommendation=rec, respond_by=TODAY + dt.timedelta(days=respond_in))
        event = make_event("recommendation.recorded", str(rec.id), data, source="test")
        self.feed(event)
        return event

    def delivery_failed(self, notice_id: uuid.UUID, recipient: str) -> dict:
        data = DeliveryEvent(notice_id=notice_id, recipient=recipient, attempts=5, error="mailbox full")
        event = make_event("notice.failed", str(notice_id), data, source="test")
        self.feed(event)
        return event

    def run(self, cid: str, command, **kwargs):
        return actions.run(self.storage, self.clock, cid, command, **kwargs)

    def row(self, cid: str):
        return self.storage.commitments.get(cid)

    def entries(self, cid: str) -> list[dict]:
        return self.storage.timeline.get(cid, [])

    def told(self, kind: str) -> list:
        """The notices of `kind` recorded so far."""
        return [n for n in self.storage.notices.values() if n.kind == kind]

    def later(self, days: int) -> None:
        self.clock.set_day(TODAY + dt.timedelta(days=days), 12)


@pytest.fixture
def world() -> World:
    return World()
