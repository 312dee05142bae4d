"""Rows to public events: the commitment's public state, and notices."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.orm import Session

from schemas import CommitmentEvent, CommitmentPublic, NoticeEvent, NoticeFacts, make_event
from schemas import Notice as NoticeOut
from schemas.models import ToldParty
from services.common import outbox as outbox_mod
from services.common.clock import LONDON
from services.tracker.adapters.rows import CommitmentRow, RecommendationRow
from services.tracker.adapters.store import outbox
from services.tracker.domain import Notice
from services.tracker.domain.model import DELAYED, next_update_by
from services.tracker.domain.model import days_overdue as domain_days_overdue
from services.tracker.domain.rules import NOTICES

SOURCE = "followthrough/tracker"
NOTICE_NS = uuid.UUID("6f1c2f5e-7a0b-4c1e-9a57-3d2b8e0c4a11")
_WHY = {
    "owner": "owns this commitment",
    "supervisor": "supervises the owner",
    "senior_lead": "is the senior lead for this area",
    "board": "oversees these commitments for the public",
}


def days_overdue(row: CommitmentRow, today: dt.date) -> int:
    return domain_days_overdue(row.status, row.due, today)


def public_state(row: CommitmentRow, today: dt.date) -> CommitmentPublic:
    track = getattr(row, "track", None)
    return CommitmentPublic(
        id=row.id, recommendation_id=row.recommendation_id, panel=row.panel, action=row.action,
        done_means=row.done_means, owner_role=row.owner_role, due=row.due, original_due=row.original_due,
        due_moves=row.due_version - 1, status=row.status, days_overdue=days_overdue(row, today),
        last_update_at=row.last_update_at, requested_due=getattr(row, "requested_due", None),
        next_update_by=next_update_by_of(row), track=track,
        delay_reason=getattr(row, "delay_reason", None) if track in DELAYED else None,
        reopenings=getattr(row, "reopenings", 0) or 0,
        kept_by=getattr(row, "kept_by", None) if row.status == "kept" else None,
        owner_unreachable_since=getattr(row, "owner_unreachable_since", None),
    )


def next_update_by_of(row: CommitmentRow):
    """The same date the silence ladder uses (domain `next_update_by`)."""
    return next_update_by(row.status, getattr(row, "last_update_on", None), row.agreed_on,
                          getattr(row, "reopened_on", None), row.update_every_days)


def commitment_event(event_type: str, row: CommitmentRow, today: dt.date, *, record: dict | None, **about: Any) -> dict:
    data = CommitmentEvent(commitment=public_state(row, today), timeline=record, **about)
    return make_event(event_type, row.id, data, source=SOURCE, time=record["at"] if record else None)


def emit_commitment(session: Session, event_type: str, row: CommitmentRow, today: dt.date, *, record: dict | None,
                    **about: Any) -> None:
    outbox_mod.add(session, outbox, commitment_event(event_type, row, today, record=record, **about))


def notice_id(recommendation_id: str, key: str) -> uuid.UUID:
    """Deterministic: deciding the same notice again yields the same id."""
    return uuid.uuid5(NOTICE_NS, f"{recommendation_id}:{key}")


def notice_event(n: Notice, *, rec: RecommendationRow, row: CommitmentRow | None, now: dt.datetime,
                 public_url: str, respond_url: str | None, next_step_on: dt.date | None = None,
                 languages: dict[str, str] | None = None) -> dict:
    """The `notice.requested` event; its id is the notice's."""
    nid = notice_id(rec.id, n.key)
    also = [ToldParty(role=_role_name(who, row, rec), why=_WHY[who]) for who in n.audience if who != "owner"]
    # Yes in principle owes its answer by decide_by: that is the day the email names.
    answer_by = getattr(rec, "decide_by", None) if getattr(rec, "decision", None) == "in_principle" else None
    answer_by = answer_by or rec.respond_by
    facts = NoticeFacts(
        recommendation_title=rec.title,
        action=row.action if row else "Agree or decline this recommendation",
        done_means=row.done_means if row else "The police publish their decision",
        panel=rec.panel,
        owner_role=row.owner_role if row else "police lead",
        agreed_on=row.agreed_on if row else None,
        due=row.due if row else answer_by,
        original_due=row.original_due if row else answer_by,
        days_overdue=n.days_overdue,
        late=n.late,
        also_told=also,
    )
    notice = NoticeOut(
        id=nid, recommendation_id=rec.id, commitment_id=row.id if row else None, kind=n.kind,
        level=n.level, key=n.key, reason=n.reason, recipients=list(n.recipients), languages=languages or {},
        subject=_subject(n, rec, row),
        facts=facts, respond_url=respond_url, status_url=f"{public_url}/panels/{rec.panel}",
        give_up_after=_london_midnight(next_step_on) if next_step_on else None,
    )
    return make_event("notice.requested", str(nid), NoticeEvent(notice=notice), source=SOURCE, event_id=nid, time=now)


def _london_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=LONDON)


def _role_name(who: str, row: CommitmentRow | None, rec: RecommendationRow) -> str:
    return {"owner": row.owner_role if row else "police lead", "supervisor": "Supervisor",
            "senior_lead": "Senior lead", "board": "Oversight board"}[who]


def _subject(n: Notice, rec: RecommendationRow, row: CommitmentRow | None) -> str:
    title = rec.title if len(rec.title) <= 60 else rec.title[:57] + "…"
    prefix = NOTICES[n.kind].subject.format(days=n.days_overdue, s="" if n.days_overdue == 1 else "s",
                                             level=n.level)
    late = " (sent late)" if n.late else ""
    return f"{prefix}{late}: {title}"
