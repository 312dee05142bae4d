"""Build and publish real events, as intake would."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from schemas import (
    CommitmentTerms,
    Escalation,
    Owner,
    Panel,
    PanelEvent,
    Recommendation,
    RecommendationAgreed,
    make_event,
)
from schemas.models import Contact
from services.common import accesscode
from tests.support.topics import produce


def ladder(uid: str) -> Escalation:
    return Escalation(supervisor=f"s-{uid}@example.org", senior_lead=f"l-{uid}@example.org",
                      board=f"b-{uid}@example.org")


def panel_code(uid: str) -> str:
    """The access code of the test panel `panel_event(uid)` registers (its digest is on the event)."""
    return f"code-{uid}-of-the-test-panel"


def panel_event(uid: str) -> dict:
    panel = Panel(slug=f"panel-{uid}", name="Test panel", area="Test area",
                  police_lead=Contact(role="Inspector", email=f"lead-{uid}@example.org"), escalation=ladder(uid),
                  access_code_sha256=accesscode.digest(panel_code(uid)))
    return make_event("panel.registered", panel.slug, PanelEvent(panel=panel), source="test")


def agreed_event(uid: str, due: dt.date, agreed_on: dt.date | None = None, owner: str | None = None) -> dict:
    agreed_on = agreed_on or min(due, dt.date.today()) - dt.timedelta(days=10)
    rec = Recommendation(id=uuid.uuid4(), panel=f"panel-{uid}", raised_on=agreed_on - dt.timedelta(days=3),
                         title="Explain stops", detail="", themes=["respect"])
    terms = CommitmentTerms(
        id=uuid.uuid4(), action="Brief officers", done_means="All briefed",
        owner=Owner(role="Inspector", email=owner or f"o-{uid}@example.org"), escalation=ladder(uid),
        agreed_on=agreed_on, due=due, update_every_days=30)
    return make_event("recommendation.agreed", str(rec.id),
                      RecommendationAgreed(recommendation=rec, commitment=terms), source="test")


def publish(bootstrap: str, event: dict, prefix: str = "") -> None:
    topic = prefix + ("followthrough.panels" if event["type"].startswith("panel.") else "followthrough.recommendations")
    produce(bootstrap, topic, event["subject"].encode(), json.dumps(event).encode())
