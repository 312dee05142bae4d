"""Notice events as the tracker publishes them."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from kafka import KafkaProducer

from schemas import Notice, NoticeEvent, NoticeFacts, make_event
from schemas.models import ToldParty


def notice_event(uid: str, kind: str = "overdue", level: int = 1, recipients: list[str] | None = None,
                 title: str = "Explain every stop", notice_id: uuid.UUID | None = None) -> dict:
    nid = notice_id or uuid.uuid4()
    recipients = recipients or [f"owner-{uid}@example.org", f"supervisor-{uid}@example.org"]
    due = dt.date.today() + dt.timedelta(days=3 if kind == "reminder" else -20)
    notice = Notice(
        id=nid, recommendation_id=uuid.uuid4(), commitment_id=None if kind == "response_due" else uuid.uuid4(),
        kind=kind, level=level, key=f"{kind}:{level}:v1", reason=f"Because of {kind} at level {level}.",
        recipients=recipients, subject=f"{kind.title()}: {title}",
        facts=NoticeFacts(recommendation_title=title, action="Brief every officer", done_means="All briefed",
                          panel=f"panel-{uid}", owner_role="Inspector", agreed_on=dt.date(2026, 1, 5), due=due,
                          original_due=due - dt.timedelta(days=14), days_overdue=max(0, -(due - dt.date.today()).days),
                          also_told=[ToldParty(role="Supervisor", why="supervises the owner")] if level else []),
        respond_url=f"http://127.0.0.1:8002/commitments/x/respond?token={uid}", status_url=f"http://127.0.0.1:8002/panels/panel-{uid}",
    )
    return make_event("notice.requested", str(nid), NoticeEvent(notice=notice), source="test", event_id=nid)


def publish_all(bootstrap: str, topic: str, events: list[dict]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=10)
    for e in events:
        producer.send(topic, key=e["subject"].encode(), value=json.dumps(e).encode())
    producer.flush()
    producer.close()
