"""The webhooks ledger in SQL (docs/contract.md §8.3): subscriptions, the public events they
receive, one delivery per (subscription, event) and the log of attempts.

Every method is one short transaction; no transaction stays open across an HTTP call.
What must happen once is decided by the database, not by a prior SELECT: an event is new when
its insert (unique CloudEvent id) returns a row; a delivery is recorded as done by the one
UPDATE that finds it still pending. Two replicas and a redelivered Kafka message therefore
store, fan out and record success exactly once."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.webhooks.adapters.secretbox import SecretBox
from services.webhooks.adapters.tables import attempts as attempt_log
from services.webhooks.adapters.tables import deliveries, events, subscriptions

if TYPE_CHECKING:  # only its `scheme` and `private` are read
    from services.webhooks.domain.signing import NewKey

UTC = dt.timezone.utc
ALL = "*"
LIVE_STATES = ("confirming", "active")
REASON_LIMIT = 2000  # an attempt's reason is a short diagnosis, never a receiver's whole error page
REPLAY_CHUNK = 1000


@dataclass(frozen=True)
class StoredEvent:
    """One public event as it will be sent: `body` is `payload.cloudevent_body(...)`."""
    id: str
    type: str
    subject: str | None
    time: dt.datetime
    body: bytes


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    types: tuple[str, ...]
    scheme: str
    owner_email: str | None
    state: str
    created_at: dt.datetime
    disabled_reason: str | None = None
    disabled_at: dt.datetime | None = None
    owner_told_at: dt.datetime | None = None
    rate_per_minute: int | None = None
    confirm_attempts: int = 0
    next_confirm_at: dt.datetime | None = None
    previous_until: dt.datetime | None = None
    # Sealed (SecretBox) keys: only `SqlStore.signing_keys` opens them; kept out of repr and logs.
    key_enc: str = field(default="", repr=False)
    previous_key_enc: str | None = field(default=None, repr=False)

    def wants(self, event_type: str) -> bool:
        return wants(self.types, event_type)


@dataclass(frozen=True)
class Delivery:
    subscription_id: str
    event_seq: int
    event_id: str
    body: bytes
    attempts: int
    next_attempt_at: dt.datetime
    event_time: dt.datetime


@dataclass(frozen=True)
class Attempt:
    id: int
    subscription_id: str
    event_seq: int | None  # None: a validation handshake
    event_id: str | None
    at: dt.datetime
    status: int | None
    result: str
    reason: str
    duration_ms: int


def wants(types: Sequence[str], event_type: str) -> bool:
    return ALL in types or event_type in types


def new_subscription_id() -> str:
    return "sub_" + secrets.token_urlsafe(16)  # 22 characters: the column's 26 in all


class SqlStore:
    def __init__(self, engine: Engine, box: SecretBox) -> None:
        self.engine, self.box = engine, box

    # -- events -------------------------------------------------------------------------------

    def record_events(self, batch: Sequence[StoredEvent], now: dt.datetime) -> int:
        """Store the batch's new events and one pending delivery per live subscription that wants
        each; an event seen before (redelivered, or stored by another replica) fans out nothing.
        Returns the number of new deliveries."""
        if not batch:
            return 0
        now = utc(now)
        with Session(self.engine) as s, s.begin():
            new = self._insert_events(s, batch, now)
            if not new:
                return 0
            subs = s.execute(select(subscriptions.c.id, subscriptions.c.types).where(_live())).all()
            rows = [_pending(sub.id, seq, now) for seq, event_type in new for sub in subs
                    if wants(sub.types, event_type)]
            return self._insert_deliveries(s, rows)

    def _insert_events(self, s: Session, batch: Sequence[StoredEvent], now: dt.datetime) -> list[tuple[int, str]]:
        rows, seen = [], set()
        for e in batch:
            if e.id in seen:
                continue  # the same event twice in one batch: one row
            seen.add(e.id)
            rows.append({"id": e.id, "type": e.type, "subject": e.subject, "time": utc(e.time),
                         "body": e.body.decode("utf-8"), "received_at": now})
        stmt = (_dialect(s).insert(events).on_conflict_do_nothing(index_elements=["id"])
                .returning(events.c.seq, events.c.type))
        # One statement per row keeps RETURNING exact on both databases; batches are small.
        new = [s.execute(stmt, row).first() for row in rows]
        return sorted((r.seq, r.type) for r in new if r is not None)

    def _insert_deliveries(self, s: Session, rows: list[dict]) -> int:
        if not rows:
            return 0
        stmt = _dialect(s).insert(deliveries).on_conflict_do_nothing().returning(deliveries.c.event_seq)
        return len(s.execute(stmt, rows).all())

    # -- subscriptions ------------------------------------------------------------------------

    def create(self, url: str, types: Sequence[str], scheme: str, owner_email: str | None, key: NewKey,
               now: dt.datetime) -> Subscription:
        """A new subscription, `confirming` until the receiver consents to the handshake."""
        if scheme != key.scheme:
            raise ValueError(f"scheme: {scheme!r} is not the key's ({key.scheme!r}); make the key with new_key(scheme)")
        now = utc(now)
        values = dict(id=new_subscription_id(), url=url, types=list(types), scheme=scheme,
                      key_enc=self.box.seal(key.private), owner_email=owner_email, state="confirming",
                      confirm_attempts=0, next_confirm_at=now, created_at=now)
        with Session(self.engine) as s, s.begin():
            s.execute(subscriptions.insert().values(**values))
        return self.get(values["id"])  # type: ignore[return-value]

    def get(self, sub_id: str) -> Subscription | None:
        """The subscription, or None when there is none or it was deleted."""
        with Session(self.engine) as s:
            row = s.execute(select(subscriptions).where(subscriptions.c.id == sub_id,
                                                        subscriptions.c.deleted_at.is_(None))).first()
        return _subscription(row) if row else None

    def list(self) -> list[Subscription]:
        with Session(self.engine) as s:
            rows = s.execute(select(subscriptions).where(subscriptions.c.deleted_at.is_(None))
                             .order_by(subscriptions.c.created_at, subscriptions.c.id)).all()
        return [_subscription(r) for r in rows]

    def delete(self, sub_id: str, now: dt.datetime) -> bool:
        """Stop delivering at once; the attempts log stays. False when there was nothing to delete."""
        c = subscriptions.c
        with Session(self.engine) as s, s.begin():
            done = s.execute(update(subscriptions).where(c.id == sub_id, c.deleted_at.is_(None))
                             .values(deleted_at=utc(now))).rowcount
            if done:  # its backlog would never be sent: do not keep it
                s.execute(deliveries.delete().where(deliveries.c.subscription_id == sub_id,
                                                    deliveries.c.state == "pending"))
        return bool(done)

    def rotate(self, sub_id: str, key: NewKey, overlap: dt.timedelta, now: dt.datetime) -> Subscription | None:
        """The new key signs from now on; the current one keeps signing beside it until now + overlap,
        so receivers can switch keys without losing a message. None when there is no such subscription."""
        c = subscriptions.c
        with Session(self.engine) as s, s.begin():
            # The SET list reads the row's old values: previous_key_enc takes the key being replaced.
            done = s.execute(update(subscriptions).where(c.id == sub_id, c.deleted_at.is_(None))
                             .values(previous_key_enc=c.key_enc, previous_until=utc(now) + overlap,
                                     key_enc=self.box.seal(key.private), scheme=key.scheme)).rowcount
        return self.get(sub_id) if done else None

    def signing_keys(self, sub: Subscription, now: dt.datetime) -> list[str]:
        """The private keys to sign with, newest first: the previous one only during its overlap."""
        keys = [self.box.open(sub.key_enc)]
        if sub.previous_key_enc and sub.previous_until and sub.previous_until > utc(now):
            keys.append(self.box.open(sub.previous_key_enc))
        return keys

    def replay(self, sub_id: str, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> int:
        """Send again every stored event whose time is in [start, end) and that the subscription
        wants: its delivery pending again, attempts 0, due now (a missing one is created).
        Returns how many; 0 for a deleted or unknown subscription."""
        sub = self.get(sub_id)
        if sub is None:
            return 0
        now, total, after = utc(now), 0, -1
        q = (select(events.c.seq, events.c.type)
             .where(events.c.time >= utc(start), events.c.time < utc(end)).order_by(events.c.seq))
        while True:
            with Session(self.engine) as s, s.begin():
                chunk = s.execute(q.where(events.c.seq > after).limit(REPLAY_CHUNK)).all()
                if not chunk:
                    return total
                after = chunk[-1].seq
                rows = [_pending(sub_id, r.seq, now) for r in chunk if sub.wants(r.type)]
                if rows:
                    stmt = _dialect(s).insert(deliveries)
                    stmt = stmt.on_conflict_do_update(
                        index_elements=["subscription_id", "event_seq"],
                        set_={"state": "pending", "attempts": 0, "next_attempt_at": now, "delivered_at": None,
                              "last_error": None})
                    s.execute(stmt, rows)
                    total += len(rows)

    def attempts(self, sub_id: str, limit: int = 100, before_id: int | None = None) -> list[Attempt]:
        """The newest attempts first; `before_id` pages on from an earlier answer's last id."""
        a = attempt_log.c
        q = (select(attempt_log, events.c.id.label("event_id"))
             .outerjoin(events, events.c.seq == a.event_seq)
             .where(a.subscription_id == sub_id).order_by(a.id.desc()).limit(max(1, min(limit, 1000))))
        if before_id is not None:
            q = q.where(a.id < before_id)
        with Session(self.engine) as s:
            return [Attempt(r.id, r.subscription_id, r.event_seq, r.event_id, aware(r.at), r.status, r.result,
                            r.reason, r.duration_ms) for r in s.execute(q).all()]

    # -- the workers --------------------------------------------------------------------------

    def take_lease(self, sub_id: str, owner: str, until: dt.datetime, now: dt.datetime) -> bool:
        """Hold the subscription's worker until `until`: True when it was free, expired or already ours.
        One worker per subscription across replicas keeps its deliveries in order."""
        c = subscriptions.c
        with Session(self.engine) as s, s.begin():
            return bool(s.execute(
                update(subscriptions)
                .where(c.id == sub_id, c.deleted_at.is_(None),
                       or_(c.lease_owner.is_(None), c.lease_until < utc(now), c.lease_owner == owner))
                .values(lease_owner=owner, lease_until=utc(until))).rowcount)

    def release_lease(self, sub_id: str, owner: str) -> None:
        c = subscriptions.c
        with Session(self.engine) as s, s.begin():
            s.execute(update(subscriptions).where(c.id == sub_id, c.lease_owner == owner)
                      .values(lease_owner=None, lease_until=None))

    def subscriptions_with_work(self, now: dt.datetime, owner: str | None = None) -> list[str]:
        """Live subscriptions with something due: confirming ones whose handshake is due, active ones
        whose FIRST pending delivery is due (a later one being due does not count: order per
        subscription). With `owner`, those another replica's worker holds are left out."""
        now, c, d = utc(now), subscriptions.c, deliveries.c
        first_due = (select(d.next_attempt_at).where(d.subscription_id == c.id, d.state == "pending")
                     .order_by(d.event_seq).limit(1).scalar_subquery())
        q = select(c.id).where(
            _live(),
            or_(and_(c.state == "confirming", or_(c.next_confirm_at.is_(None), c.next_confirm_at <= now)),
                and_(c.state == "active", first_due <= now)))
        if owner is not None:
            q = q.where(or_(c.lease_owner.is_(None), c.lease_until < now, c.lease_owner == owner))
        with Session(self.engine) as s:
            return list(s.execute(q.order_by(c.id)).scalars())

    def next_delivery(self, sub_id: str) -> Delivery | None:
        """The subscription's lowest-sequence pending delivery, due or not: events reach each receiver
        in the order they were stored."""
        d, e = deliveries.c, events.c
        q = (select(d.subscription_id, d.event_seq, d.attempts, d.next_attempt_at, e.id, e.body, e.time)
             .join(events, e.seq == d.event_seq)
             .where(d.subscription_id == sub_id, d.state == "pending").order_by(d.event_seq).limit(1))
        with Session(self.engine) as s:
            r = s.execute(q).first()
        if r is None:
            return None
        return Delivery(r.subscription_id, r.event_seq, r.id, r.body.encode("utf-8"), r.attempts,
                        aware(r.next_attempt_at), aware(r.time))

    def record_attempt(self, sub_id: str, event_seq: int | None, *, at: dt.datetime, status: int | None,
                       result: str, reason: str, duration_ms: int) -> None:
        with Session(self.engine) as s, s.begin():
            s.execute(attempt_log.insert().values(subscription_id=sub_id, event_seq=event_seq, at=utc(at),
                                               status=status, result=result, reason=(reason or "")[:REASON_LIMIT],
                                               duration_ms=max(0, int(duration_ms))))

    def mark_delivered(self, sub_id: str, event_seq: int, now: dt.datetime) -> bool:
        """True for the one call that recorded the success; a second (another replica, a retry that
        crossed) finds the delivery no longer pending and writes nothing."""
        with Session(self.engine) as s, s.begin():
            return bool(s.execute(update(deliveries).where(_pending_delivery(sub_id, event_seq))
                                  .values(state="delivered", delivered_at=utc(now), attempts=deliveries.c.attempts + 1,
                                          last_error=None)).rowcount)

    def mark_retry(self, sub_id: str, event_seq: int, attempts: int, next_at: dt.datetime,
                   reason: str) -> bool:
        """The delivery failed `attempts` times in all; try again at `next_at`. False when it is
        no longer pending (delivered meanwhile, or the subscription deleted)."""
        with Session(self.engine) as s, s.begin():
            return bool(s.execute(update(deliveries).where(_pending_delivery(sub_id, event_seq))
                                  .values(attempts=attempts, next_attempt_at=utc(next_at),
                                          last_error=(reason or "")[:REASON_LIMIT])).rowcount)

    def confirmed(self, sub_id: str, rate_per_minute: int | None) -> bool:
        """The receiver consented to the handshake: deliveries start."""
        c = subscriptions.c
        with Session(self.engine) as s, s.begin():
            return bool(s.execute(update(subscriptions).where(c.id == sub_id, c.state == "confirming")
                                  .values(state="active", rate_per_minute=rate_per_minute,
                                          next_confirm_at=None)).rowcount)

    def confirm_failed(self, sub_id: str, attempts: int, next_at: dt.datetime, reason: str) -> bool:
        """The handshake was refused or failed `attempts` times; ask again at `next_at`.
        The reason is kept in the attempts log (`record_attempt`), not on the subscription."""
        c = subscriptions.c
        with Session(self.engine) as s, s.begin():
            return bool(s.execute(update(subscriptions).where(c.id == sub_id, c.state == "confirming")
                                  .values(confirm_attempts=attempts, next_confirm_at=utc(next_at))).rowcount)

    def disable(self, sub_id: str, reason: str, now: dt.datetime) -> bool:
        """Stop delivering (410 Gone, or the schedule spent). True only for the call that disabled it,
        so the owner is told once."""
        c = subscriptions.c
        with Session(self.engine) as s, s.begin():
            return bool(s.execute(update(subscriptions)
                                  .where(c.id == sub_id, c.state != "disabled", c.deleted_at.is_(None))
                                  .values(state="disabled", disabled_reason=(reason or "")[:REASON_LIMIT],
                                          disabled_at=utc(now))).rowcount)

    def owners_to_tell(self) -> list[Subscription]:
        """Disabled subscriptions whose owner has not been emailed yet."""
        c = subscriptions.c
        with Session(self.engine) as s:
            rows = s.execute(select(subscriptions).where(c.state == "disabled", c.owner_told_at.is_(None),
                                                         c.owner_email.is_not(None), c.deleted_at.is_(None))
                             .order_by(c.disabled_at)).all()
        return [_subscription(r) for r in rows]

    def told_owner(self, sub_id: str, now: dt.datetime) -> bool:
        """Mark the owner told; True only for the one call that marked it. Call it before sending:
        a replica that gets False must not send, so the owner gets one email, not one per replica."""
        c = subscriptions.c
        with Session(self.engine) as s, s.begin():
            return bool(s.execute(update(subscriptions).where(c.id == sub_id, c.owner_told_at.is_(None))
                                  .values(owner_told_at=utc(now))).rowcount)

    # -- metrics ------------------------------------------------------------------------------

    def oldest_undelivered(self, now: dt.datetime) -> dict[str, float]:
        """Per live subscription with a backlog: seconds since the oldest pending event's time.
        A disabled subscription's backlog is left out: it will not shrink, and `disabled_count` says so."""
        d, c = deliveries.c, subscriptions.c
        q = (select(d.subscription_id, func.min(events.c.time))
             .join(events, events.c.seq == d.event_seq).join(subscriptions, c.id == d.subscription_id)
             .where(d.state == "pending", _live()).group_by(d.subscription_id))
        with Session(self.engine) as s:
            rows = s.execute(q).all()
        now = utc(now)
        return {sub_id: max(0.0, (now - aware(oldest)).total_seconds()) for sub_id, oldest in rows}

    def disabled_count(self) -> int:
        c = subscriptions.c
        with Session(self.engine) as s:
            return s.execute(select(func.count()).select_from(subscriptions)
                             .where(c.state == "disabled", c.deleted_at.is_(None))).scalar_one()


def _live():
    c = subscriptions.c
    return and_(c.deleted_at.is_(None), c.state.in_(LIVE_STATES))


def _pending(sub_id: str, seq: int, now: dt.datetime) -> dict:
    return {"subscription_id": sub_id, "event_seq": seq, "state": "pending", "attempts": 0,
            "next_attempt_at": now}


def _pending_delivery(sub_id: str, event_seq: int):
    d = deliveries.c
    return and_(d.subscription_id == sub_id, d.event_seq == event_seq, d.state == "pending")


def _dialect(s: Session):
    return postgresql if s.get_bind().dialect.name == "postgresql" else sqlite


def _subscription(r) -> Subscription:
    return Subscription(
        id=r.id, url=r.url, types=tuple(r.types), scheme=r.scheme, owner_email=r.owner_email, state=r.state,
        created_at=aware(r.created_at), disabled_reason=r.disabled_reason, disabled_at=aware(r.disabled_at),
        owner_told_at=aware(r.owner_told_at), rate_per_minute=r.rate_per_minute,
        confirm_attempts=r.confirm_attempts, next_confirm_at=aware(r.next_confirm_at),
        previous_until=aware(r.previous_until), key_enc=r.key_enc, previous_key_enc=r.previous_key_enc)


def utc(at: dt.datetime) -> dt.datetime:
    """Stored as UTC: SQLite keeps no zone, so every value written must be in the same one."""
    if at.tzinfo is None:
        raise ValueError("a naive datetime: pass an aware one (the clock's now() is)")
    return at.astimezone(UTC)


def aware(at: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; they were written as UTC."""
    if at is None:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)
