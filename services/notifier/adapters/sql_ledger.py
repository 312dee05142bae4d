"""The delivery ledger in SQL: record notices once, claim deliveries, mark results,
count stuck deliveries. `SqlLedger` is the `DeliveryLedger` the use cases ask.

Every function is one short transaction; the sender never holds a database
transaction open across the SMTP exchange.

Each claim writes a fresh token on its rows, and a result is written only where
that token still stands (compare-and-set): a claimant whose lease ran out, and
whose rows another replica took, cannot overwrite the newer claim's result."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Engine, and_, func, or_, select, update
from sqlalchemy.orm import Session

from schemas import DeliveryEvent, Notice, make_event
from services.common import outbox as outbox_mod
from services.common.db import for_update, insert_once
from services.notifier.adapters.tables import deliveries, notices, outbox
from services.notifier.domain.delivery import Claim, held_for_digest, recipients_of
from services.notifier.domain.message_ids import message_id
from services.notifier.domain.stuck import UNFINISHED, StuckRule

SOURCE = "followthrough/notifier"


class SqlLedger:
    """The ledger's functions, bound to one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record_notices(self, batch: list[Notice], now: dt.datetime, digest_at: dt.datetime | None = None) -> int:
        return record_notices(self.engine, batch, now, digest_at)

    def claim(self, now: dt.datetime, lease: dt.timedelta, limit: int = 20) -> list[Claim]:
        return claim(self.engine, now, lease, limit)

    def claim_digests(self, now: dt.datetime, recipients: int, limit: int = 500) -> dict[str, list[Claim]]:
        return claim_digests(self.engine, now, recipients, limit)

    def mark_sent(self, c: Claim, now: dt.datetime, message_id_: str | None = None) -> bool:
        return mark_sent(self.engine, c, now, message_id_)

    def mark_failed(self, c: Claim, now: dt.datetime, error: str, retry_at: dt.datetime | None,
                    retry_state: str = "pending") -> bool:
        return mark_failed(self.engine, c, now, error, retry_at, retry_state)

    def stuck(self, now: dt.datetime, rule: StuckRule, sample: int = 5) -> tuple[int, list[tuple[str, str, str]]]:
        return stuck_deliveries(self.engine, now, rule, sample)


def record_notices(engine: Engine, batch: list[Notice], now: dt.datetime, digest_at: dt.datetime | None = None) -> int:
    """Store each notice once, with one delivery per recipient; return how many were new."""
    new = 0
    with Session(engine) as s, s.begin():
        for notice in batch:
            if not insert_once(s, notices, id=str(notice.id), notice=notice.model_dump(mode="json")):
                continue  # seen before
            new += 1
            held = held_for_digest(notice, digest_at)
            for recipient in recipients_of(notice):
                insert_once(s, deliveries, notice_id=str(notice.id), recipient=recipient,
                            state="digest" if held else "pending", attempts=0, resends=0,
                            next_attempt_at=digest_at if held else now, give_up_after=notice.give_up_after,
                            message_id=message_id(str(notice.id), recipient))
    return new


def claim(engine: Engine, now: dt.datetime, lease: dt.timedelta, limit: int = 20) -> list[Claim]:
    """Take due deliveries: pending ones, and ones whose claim outlived its lease.

    The caller asks for no more than it can start sending now: a claimed row that waits
    for a connection uses up its lease waiting, and another replica would send it too."""
    if limit <= 0:
        return []
    d, token = deliveries.c, new_token()
    with Session(engine) as s, s.begin():
        q = (select(d.notice_id, d.recipient, d.attempts, d.state, d.created_at, notices.c.notice)
             .join(notices, notices.c.id == d.notice_id)
             .where(or_(and_(d.state == "pending", d.next_attempt_at <= now),
                        and_(d.state == "sending", d.claimed_at < now - lease)))
             .order_by(d.next_attempt_at).limit(limit))
        rows = s.execute(for_update(s, q, of=deliveries, skip_locked=True)).all()
        claims = []
        for r in rows:
            resend = r.state == "sending"
            s.execute(update(deliveries).where(d.notice_id == r.notice_id, d.recipient == r.recipient)
                      .values(state="sending", claimed_at=now, claim_token=token, attempts=r.attempts + 1,
                              resends=d.resends + (1 if resend else 0)))
            claims.append(Claim(Notice.model_validate(r.notice), r.recipient, r.attempts + 1, resend,
                                aware(r.created_at), token))
        return claims


def claim_digests(engine: Engine, now: dt.datetime, recipients: int, limit: int = 500) -> dict[str, list[Claim]]:
    """Reminders whose digest time has come, grouped by recipient: at most `recipients`
    groups, one email each, for the same reason `claim` takes no more than it can send."""
    if recipients <= 0:
        return {}
    d, token = deliveries.c, new_token()
    with Session(engine) as s, s.begin():
        q = (select(d.notice_id, d.recipient, d.attempts, d.created_at, notices.c.notice)
             .join(notices, notices.c.id == d.notice_id)
             .where(d.state == "digest", d.next_attempt_at <= now).order_by(d.recipient, d.created_at).limit(limit))
        grouped: dict[str, list[Claim]] = {}
        for r in s.execute(for_update(s, q, of=deliveries, skip_locked=True)).all():
            if r.recipient not in grouped and len(grouped) == recipients:
                break  # ordered by recipient: the rest belong to recipients left for the next pass
            s.execute(update(deliveries).where(d.notice_id == r.notice_id, d.recipient == r.recipient)
                      .values(state="sending", claimed_at=now, claim_token=token, attempts=r.attempts + 1))
            grouped.setdefault(r.recipient, []).append(
                Claim(Notice.model_validate(r.notice), r.recipient, r.attempts + 1, False, aware(r.created_at),
                      token))
        return grouped


def mark_sent(engine: Engine, c: Claim, now: dt.datetime, message_id_: str | None = None) -> bool:
    """Record the send; False when the claim was no longer ours (nothing written)."""
    mid = message_id_ or message_id(str(c.notice.id), c.recipient)
    with Session(engine) as s, s.begin():
        done = s.execute(update(deliveries).where(_held(c))
                         .values(state="sent", sent_at=now, last_error=None, message_id=mid)).rowcount
        if done:
            _event(s, "notice.delivered", c, message_id=mid)
        return bool(done)


def mark_failed(engine: Engine, c: Claim, now: dt.datetime, error: str, retry_at: dt.datetime | None,
                retry_state: str = "pending") -> bool:
    """Retry later, or give up (retry_at None) and say so on followthrough.deliveries.
    False when the claim was no longer ours (nothing written)."""
    with Session(engine) as s, s.begin():
        if retry_at is not None:
            return bool(s.execute(update(deliveries).where(_held(c))
                                  .values(state=retry_state, next_attempt_at=retry_at, last_error=error)).rowcount)
        if s.execute(update(deliveries).where(_held(c)).values(state="failed", last_error=error)).rowcount:
            _event(s, "notice.failed", c, error=error)
            return True
        return False


def _held(c: Claim):
    """The claim's row, while this claim still holds it."""
    d = deliveries.c
    return and_(d.notice_id == str(c.notice.id), d.recipient == c.recipient, d.state == "sending",
                d.claim_token == c.token)


def new_token() -> str:
    return str(uuid.uuid4())


def _event(s: Session, event_type: str, c: Claim, **about) -> None:
    data = DeliveryEvent(notice_id=c.notice.id, recipient=c.recipient, attempts=c.attempts, **about)
    outbox_mod.add(s, outbox, make_event(event_type, str(c.notice.id), data, source=SOURCE))


def aware(at: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; they were written as UTC."""
    return at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)


def stuck_condition(now: dt.datetime, rule: StuckRule):
    """`StuckRule.is_stuck` as a SQL condition, so the count is one query."""
    d = deliveries.c
    abandoned = and_(d.state == "sending", d.claimed_at < rule.abandoned_before(now))
    latest = rule.latest(now)
    overdue = and_(d.state.in_(UNFINISHED), d.attempts > 0,
                   or_(d.give_up_after < latest, d.created_at < latest - rule.give_up_hours))
    return or_(abandoned, overdue)


def stuck_deliveries(engine: Engine, now: dt.datetime, rule: StuckRule,
                     sample: int = 5) -> tuple[int, list[tuple[str, str, str]]]:
    """How many deliveries are stuck, and a few of them as (notice_id, recipient, state)."""
    where = stuck_condition(now, rule)
    d = deliveries.c
    with Session(engine) as s:
        count = s.execute(select(func.count()).select_from(deliveries).where(where)).scalar_one()
        first = s.execute(select(d.notice_id, d.recipient, d.state).where(where)
                          .order_by(d.created_at).limit(sample)).all() if count else []
    return count, [tuple(r) for r in first]
