"""In-memory stand-ins for the notifier's ports, so the use cases run in milliseconds.

`InMemoryLedger` keeps the SQL ledger's promises (one row per notice and recipient,
claims under a token, results compare-and-set, events written with the result);
test_sql_ledger.py runs the same checks against both, so the fake cannot drift."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from schemas import DeliveryEvent, Notice
from services.notifier.domain.delivery import Claim, SendResult, held_for_digest, recipients_of
from services.notifier.domain.message_ids import message_id
from services.notifier.domain.stuck import StuckRule


@dataclass
class Row:
    notice: Notice
    recipient: str
    state: str
    next_attempt_at: dt.datetime
    give_up_after: dt.datetime | None
    message_id: str
    created_at: dt.datetime
    attempts: int = 0
    resends: int = 0
    claimed_at: dt.datetime | None = None
    claim_token: str | None = None
    sent_at: dt.datetime | None = None
    last_error: str | None = None


class InMemoryLedger:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Row] = {}
        self.events: list[dict] = []  # the outbox: {"type", "data"} in the order written

    def record_notices(self, batch: list[Notice], now: dt.datetime, digest_at: dt.datetime | None = None) -> int:
        new = 0
        for notice in batch:
            if any(nid == str(notice.id) for nid, _ in self.rows):
                continue
            new += 1
            held = held_for_digest(notice, digest_at)
            for recipient in recipients_of(notice):
                self.rows[(str(notice.id), recipient)] = Row(
                    notice, recipient, "digest" if held else "pending", digest_at if held else now,
                    notice.give_up_after, message_id(str(notice.id), recipient), created_at=now)
        return new

    def claim(self, now: dt.datetime, lease: dt.timedelta, limit: int = 20) -> list[Claim]:
        if limit <= 0:
            return []
        due = [r for r in self.rows.values()
               if (r.state == "pending" and r.next_attempt_at <= now)
               or (r.state == "sending" and r.claimed_at < now - lease)]
        token, claims = str(uuid.uuid4()), []
        for r in sorted(due, key=lambda r: r.next_attempt_at)[:limit]:
            resend = r.state == "sending"
            r.state, r.claimed_at, r.claim_token, r.attempts = "sending", now, token, r.attempts + 1
            r.resends += resend
            claims.append(Claim(r.notice, r.recipient, r.attempts, resend, r.created_at, token))
        return claims

    def claim_digests(self, now: dt.datetime, recipients: int, limit: int = 500) -> dict[str, list[Claim]]:
        if recipients <= 0:
            return {}
        due = sorted((r for r in self.rows.values() if r.state == "digest" and r.next_attempt_at <= now),
                     key=lambda r: (r.recipient, r.created_at))[:limit]
        token, grouped = str(uuid.uuid4()), {}
        for r in due:
            if r.recipient not in grouped and len(grouped) == recipients:
                break
            r.state, r.claimed_at, r.claim_token, r.attempts = "sending", now, token, r.attempts + 1
            grouped.setdefault(r.recipient, []).append(
                Claim(r.notice, r.recipient, r.attempts, False, r.created_at, token))
        return grouped

    def mark_sent(self, c: Claim, now: dt.datetime, message_id_: str | None = None) -> bool:
        row = self._held(c)
        if row is None:
            return False
        row.state, row.sent_at, row.last_error = "sent", now, None
        row.message_id = message_id_ or message_id(str(c.notice.id), c.recipient)
        self._event("notice.delivered", c, message_id=row.message_id)
        return True

    def mark_failed(self, c: Claim, now: dt.datetime, error: str, retry_at: dt.datetime | None,
                    retry_state: str = "pending") -> bool:
        row = self._held(c)
        if row is None:
            return False
        row.last_error = error
        if retry_at is not None:
            row.state, row.next_attempt_at = retry_state, retry_at
        else:
            row.state = "failed"
            self._event("notice.failed", c, error=error)
        return True

    def stuck(self, now: dt.datetime, rule: StuckRule, sample: int = 5) -> tuple[int, list[tuple[str, str, str]]]:
        found = sorted((r for r in self.rows.values()
                        if rule.is_stuck(now, state=r.state, attempts=r.attempts, claimed_at=r.claimed_at,
                                         give_up_after=r.give_up_after, created_at=r.created_at)),
                       key=lambda r: r.created_at)
        return len(found), [(str(r.notice.id), r.recipient, r.state) for r in found[:sample]]

    def states(self) -> list[str]:
        return [r.state for _, r in sorted(self.rows.items(), key=lambda kv: kv[0][1])]

    def row(self, recipient: str) -> Row:
        (row,) = [r for r in self.rows.values() if r.recipient == recipient]
        return row

    def _held(self, c: Claim) -> Row | None:
        row = self.rows.get((str(c.notice.id), c.recipient))
        return row if row and row.state == "sending" and row.claim_token == c.token else None

    def _event(self, event_type: str, c: Claim, **about) -> None:
        data = DeliveryEvent(notice_id=c.notice.id, recipient=c.recipient, attempts=c.attempts, **about)
        self.events.append({"type": event_type, "data": data.model_dump(mode="json")})


class FakeMailer:
    """Accepts (or fails, or raises on) every message; reports a fixed number of free slots."""

    longest_send = 1.0

    def __init__(self, slots: int = 4, result: SendResult = SendResult(ok=True),
                 raises: Exception | None = None) -> None:
        self.slots, self.result, self.raises, self.sent = slots, result, raises, []

    def free_slots(self) -> int:
        return self.slots

    async def send(self, message):
        self.sent.append(message)
        if self.raises:
            raise self.raises
        return self.result
