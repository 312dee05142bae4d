"""`followthrough replay`: rebuild the tracker's state from the topics into an
empty database. Panels and recommendations go through the live handlers;
commitment changes are re-run from the timeline records their events carry;
notices are restored from `followthrough.notices`; the trust pulse's counts from its
`pulse.recorded` events (`pulse_restore.py`). The result equals the live state, hash chain included,
and every public output equals the live one."""

from __future__ import annotations

import datetime as dt
from typing import Callable, Iterator

import structlog
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from schemas import CommitmentEvent, InvalidEvent, NoticeEvent, RecommendationReplied
from schemas.binding import read_message
from schemas.envelope import CloudEvent
from schemas.events import COMMITMENTS, DELIVERIES, NOTICES, PANELS, PULSES, RECOMMENDATIONS, REPLIES
from schemas.policy import PolicyFile
from services.common.clock import SYSTEM, Clock, london_today
from services.common.consumer import Rejected
from services.common.db import insert_once
from services.tracker.adapters import convert, panel_chain, timeline
from services.tracker.adapters.store import commitments, notices
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.domain.entry_effects import apply_entry, awaiting_owner, legacy_owner_digest
from services.tracker.usecases import pulse_restore, replies
from services.tracker.usecases.ingest import Handlers

log = structlog.get_logger()
ORDER = {PANELS: 0, RECOMMENDATIONS: 1, REPLIES: 2, COMMITMENTS: 3, NOTICES: 4, DELIVERIES: 5, PULSES: 6}


class NotEmpty(RuntimeError):
    """Replay writes into an empty database only."""


Progress = Callable[[int, int], None]  # (events applied, events in all)
BATCH = 2000  # consecutive panel, recommendation and delivery events applied in one transaction


def replay(engine: Engine, bootstrap: str, policies: PolicyFile, prefix: str = "",
           clock: Clock = SYSTEM, progress: Progress | None = None) -> dict[str, int]:
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(commitments)).scalar():
            raise NotEmpty("the tracker's tables already hold commitments; replay into an empty database")
    handlers = Handlers(SqlStorage(engine), policies)
    counts = {"events": 0, "skipped": 0}
    events = sorted(_read_all(bootstrap, prefix), key=lambda e: (e[1].time, ORDER[e[0]]))
    # The pulse's rows depend on no other row and only on each month's latest event: restored at the end.
    pulses = [(envelope.time, data) for topic, envelope, data in events if topic == PULSES]
    events = [e for e in events if e[0] != PULSES]
    total, done = len(events) + len(pulses), 0
    for run in _runs(events):
        if run[0][0] in HANDLED:
            counts["skipped"] += _handle(handlers, [(envelope, data) for _, envelope, data in run])
        else:
            for _, envelope, data in run:
                if isinstance(data, RecommendationReplied):
                    replies.restore(SqlStorage(engine), str(envelope.id), envelope.time, data)
                elif isinstance(data, CommitmentEvent):
                    _commitment_change(engine, data)
                elif isinstance(data, NoticeEvent):
                    _notice(engine, envelope, data)
        counts["events"] += len(run)
        done += len(run)
        if progress:
            progress(done, total)
    pulse_restore.restore(engine, pulses, on_step=_chain_step)
    counts["events"] += len(pulses)
    if progress:
        progress(total, total)
    with Session(engine) as s, s.begin():
        # Let the next scan work out each commitment's next step, as the live one did.
        s.execute(update(commitments).values(next_action_on=clock.today()))
    return counts


HANDLED = (PANELS, RECOMMENDATIONS, DELIVERIES)  # applied by the live consumer's handlers


def _runs(events: list) -> Iterator[list]:
    """The events in order, cut into runs: up to BATCH in a row the live handlers apply, or one other."""
    run: list = []
    for item in events:
        if item[0] in HANDLED and len(run) < BATCH and (not run or run[0][0] in HANDLED):
            run.append(item)
            continue
        if run:
            yield run
        run = [item]
        if item[0] not in HANDLED:
            yield run
            run = []
    if run:
        yield run


def _handle(handlers: Handlers, items: list) -> int:
    """Apply a run in one transaction, as the live consumer does; if it is refused, one by one,
    skipping those the live consumer sent to the DLQ too. Returns how many were skipped."""
    try:
        handlers.handle_many(items)
        return 0
    except Rejected:
        if len(items) == 1:
            return 1
    return sum(_handle(handlers, [item]) for item in items)


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
                            envelope, data = read_message(message.value, message.headers, topic=topic)
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
        values = changed_columns(row, record.kind, record.entry, record.at)
        if values:
            s.execute(update(commitments).where(commitments.c.id == row.id).values(**values))
        timeline.insert(s, row.id, record.model_dump())


def changed_columns(row, kind: str, entry: dict, at: dt.datetime) -> dict:
    """The columns the recorded entry changes, by the rule the live change ran (`apply_entry`)."""
    applied = apply_entry(convert.commitment(row), kind, entry, at, london_today(at), convert.policy(row))
    return {} if applied is None else {**convert.changes(applied.commitment), **applied.columns}


def _notice(engine: Engine, envelope: CloudEvent, data: NoticeEvent) -> None:
    n = data.notice
    with Session(engine) as s, s.begin():
        if n.kind == "handover" and n.commitment_id:  # the new owner is its first recipient
            new_owner = str(n.recipients[0])
            count = n.key.rpartition(":h")[2]  # decide_handover's key: handover:<level>:h<count>
            waiting = [awaiting_owner(int(count)) if count.isdigit() else "",
                       f"sha256:{legacy_owner_digest(new_owner)}"]
            s.execute(update(commitments).where(commitments.c.id == str(n.commitment_id),
                                                commitments.c.owner_email.in_(waiting))
                      .values(owner_email=new_owner))
        insert_once(s, notices, id=str(n.id), recommendation_id=str(n.recommendation_id),
                    commitment_id=str(n.commitment_id) if n.commitment_id else None, key=n.key, kind=n.kind,
                    level=n.level, late=n.facts.late, recipients=[str(r) for r in n.recipients], reason=n.reason,
                    decided_at=envelope.time)


def _chain_step(session: Session, step: pulse_restore.Step) -> None:
    """Each published step goes back into the panel's pulse chain at its event's time, as it went live."""
    panel_chain.append_pulse_step(session, step.panel, step, step.at)
