"""`followthrough replay`: rebuild the tracker's state from the topics into an
empty database. Panels and recommendations go through the live handlers;
commitment changes are re-run from the timeline records their events carry;
notices are restored from `followthrough.notices`. The result equals the
live state, hash chain included."""

from __future__ import annotations

import datetime as dt
from typing import Iterator

import structlog
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from schemas import CommitmentEvent, InvalidEvent, NoticeEvent, RecommendationReplied, parse_event
from schemas.envelope import CloudEvent
from schemas.events import COMMITMENTS, DELIVERIES, NOTICES, PANELS, RECOMMENDATIONS, REPLIES
from schemas.policy import PolicyFile
from services.common.clock import SYSTEM, Clock, london_today
from services.common.consumer import Rejected
from services.common.db import insert_once
from services.tracker.adapters import convert, timeline
from services.tracker.adapters.store import commitments, notices
from services.tracker.domain import Commitment
from services.tracker.usecases import replies
from services.tracker.usecases.actions import email_digest
from services.tracker.usecases.ingest import Handlers

log = structlog.get_logger()
ORDER = {PANELS: 0, RECOMMENDATIONS: 1, REPLIES: 2, COMMITMENTS: 3, NOTICES: 4, DELIVERIES: 5}


class NotEmpty(RuntimeError):
    """Replay writes into an empty database only."""


def replay(engine: Engine, bootstrap: str, policies: PolicyFile, prefix: str = "",
           clock: Clock = SYSTEM) -> dict[str, int]:
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(commitments)).scalar():
            raise NotEmpty("the tracker's tables already hold commitments; replay into an empty database")
    handlers = Handlers(engine, policies)
    counts = {"events": 0, "skipped": 0}
    events = sorted(_read_all(bootstrap, prefix), key=lambda e: (e[1].time, ORDER[e[0]]))
    for topic, envelope, data in events:
        counts["events"] += 1
        try:
            if topic in (PANELS, RECOMMENDATIONS, DELIVERIES):
                handlers.handle(envelope, data)
            elif isinstance(data, RecommendationReplied):
                replies.restore(engine, str(envelope.id), envelope.time, data)
            elif isinstance(data, CommitmentEvent):
                _commitment_change(engine, data)
            elif isinstance(data, NoticeEvent):
                _notice(engine, envelope, data)
        except Rejected:
            counts["skipped"] += 1  # the live consumer sent these to the DLQ too
    with Session(engine) as s, s.begin():
        # Let the next scan work out each commitment's next step, as the live one did.
        s.execute(update(commitments).values(next_action_on=clock.today()))
    return counts


def _read_all(bootstrap: str, prefix: str) -> Iterator[tuple[str, CloudEvent, object]]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    try:
        for topic in ORDER:
            parts = [TopicPartition(prefix + topic, p) for p in consumer.partitions_for_topic(prefix + topic) or ()]
            if not parts:
                continue
            consumer.assign(parts)
            consumer.seek_to_beginning(*parts)
            end = consumer.end_offsets(parts)
            while any(consumer.position(tp) < end[tp] for tp in parts):
                for batch in consumer.poll(timeout_ms=500).values():
                    for message in batch:
                        try:
                            envelope, data = parse_event(message.value, topic=topic)
                        except InvalidEvent:
                            continue
                        yield topic, envelope, data
    finally:
        consumer.close()


def _commitment_change(engine: Engine, data: CommitmentEvent) -> None:
    record = data.timeline
    if record is None or record.kind == "agreed":  # the handler already wrote "agreed"
        return
    with Session(engine) as s, s.begin():
        row = s.execute(select(commitments).where(commitments.c.id == str(data.commitment.id))).one()
        values = _apply(row, record.kind, record.entry, record.at)
        if values:
            s.execute(update(commitments).where(commitments.c.id == row.id).values(**values))
        timeline.insert(s, row.id, record.model_dump())


def _apply(row, kind: str, entry: dict, at: dt.datetime) -> dict:
    """The same domain transitions the commands ran, from the recorded entry."""
    c: Commitment = convert.commitment(row)
    day = london_today(at)
    match kind:
        case "updated" if "owner" in entry:
            owner = entry["owner"]
            # The new owner's address is never on the public topic: until the handover notice
            # (which carries it to the new owner) is replayed, the row holds its hash.
            email = owner.get("email") or f"sha256:{owner['email_sha256']}"
            return {**convert.changes(c.hand_over(email)), "owner_role": owner["role"],
                    "owner_name": owner.get("name")}
        case "updated":
            return {**convert.changes(c.post_update(day)), "last_update_at": at}
        case "completed":
            return {**convert.changes(c.complete(day)), "last_update_at": at}
        case "extended":
            return {**convert.changes(c.extend(dt.date.fromisoformat(entry["to"]), day)),
                    "requested_due": None, "requested_reason": None}
        case "extension_requested":
            return {"requested_due": dt.date.fromisoformat(entry["to"]), "requested_reason": entry["reason"]}
        case "withdrawn":
            return convert.changes(c.withdraw())
        case "confirmed":
            return convert.changes(c.confirm())
        case "disputed":
            return convert.changes(c.dispute(day))
        case "kept" | "lapsed":
            return {"status": kind}
    return {}  # a notice: the timeline entry is the whole change


def _notice(engine: Engine, envelope: CloudEvent, data: NoticeEvent) -> None:
    n = data.notice
    with Session(engine) as s, s.begin():
        if n.kind == "handover" and n.commitment_id:  # the new owner is its first recipient
            new_owner = str(n.recipients[0])
            s.execute(update(commitments).where(commitments.c.id == str(n.commitment_id),
                                                commitments.c.owner_email == f"sha256:{email_digest(new_owner)}")
                      .values(owner_email=new_owner))
        insert_once(s, notices, id=str(n.id), recommendation_id=str(n.recommendation_id),
                    commitment_id=str(n.commitment_id) if n.commitment_id else None, key=n.key, kind=n.kind,
                    level=n.level, late=n.facts.late, recipients=[str(r) for r in n.recipients], reason=n.reason,
                    decided_at=envelope.time)
