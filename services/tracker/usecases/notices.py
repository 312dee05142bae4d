"""Recording a notice the ladder decided: once per (recommendation, key), with its event.

The scanner records the ladder's steps; commands record the notices a change
calls for (a handover, a change after escalation, a request for approval)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Protocol

import structlog
from prometheus_client import Counter

from services.tracker.adapters import publish
from services.tracker.adapters.notice_languages import known_languages
from services.tracker.adapters.rows import CommitmentRow, PanelRow, RecommendationRow
from services.tracker.domain import Notice

log = structlog.get_logger()
DECIDED = Counter("followthrough_notices_decided_total", "Notices the tracker decided", ["kind", "level"])

Link = Callable[[str, str, int], str]  # (commitment id, email, handovers so far) -> signed URL
ApproveLink = Callable[[Any, str], str]  # (commitment row, supervisor email) -> signed URL


class NoticeSink(Protocol):
    def add(self, notice: dict[str, Any], event: dict[str, Any]) -> bool:
        """The notice's row and its `notice.requested` event, once per (recommendation, key); True if
        this call recorded it."""


class NoticeRecorder:
    def __init__(self, public_url: str, respond_url: Link, approve_url: ApproveLink | None = None) -> None:
        self.public_url, self.respond_url, self.approve_url = public_url, respond_url, approve_url

    def record(self, notices: NoticeSink, n: Notice, rec: RecommendationRow, row: CommitmentRow | None,
               now: dt.datetime, next_step: dt.date | None = None, panel: PanelRow | None = None) -> str | None:
        """Record the notice and its event through `notices` (a unit of work's); the notice id if this
        call recorded it. `panel`: where the recipients are the panel's police lead and ladder."""
        nid, values, event = self.prepare(n, rec, row, now, next_step, panel)
        if not notices.add(values, event):
            return None
        self.decided(nid, n, rec, row)
        return nid

    def prepare(self, n: Notice, rec: RecommendationRow, row: CommitmentRow | None, now: dt.datetime,
                next_step: dt.date | None = None, panel: PanelRow | None = None) -> tuple[str, dict, dict]:
        """The notice's id, its row and its `notice.requested` event, for a writer to record."""
        nid = publish.notice_id(rec.id, n.key)
        event = publish.notice_event(n, rec=rec, row=row, now=now, next_step_on=next_step,
                                     public_url=self.public_url, respond_url=self._link(n, row),
                                     languages=known_languages(n.recipients, row, panel))
        return str(nid), self._row(nid, n, rec, row, now), event

    @staticmethod
    def _row(nid, n: Notice, rec: RecommendationRow, row: CommitmentRow | None, now: dt.datetime) -> dict:
        return dict(id=str(nid), recommendation_id=rec.id, commitment_id=row.id if row else None,
                    key=n.key, kind=n.kind, level=n.level, late=n.late, recipients=list(n.recipients),
                    reason=n.reason, decided_at=now)

    @staticmethod
    def decided(nid, n: Notice, rec: RecommendationRow, row: CommitmentRow | None) -> None:
        DECIDED.labels(n.kind, str(n.level)).inc()
        log.info("notice.decided", notice_id=str(nid), commitment_id=row.id if row else None,
                 recommendation_id=rec.id, kind=n.kind, ladder_level=n.level, late=n.late)

    def _link(self, n: Notice, row: CommitmentRow | None) -> str | None:
        """The first recipient's own link: the owner's respond page, or the supervisor's approval page."""
        if row is None or n.kind == "owner_unreachable":  # to the supervisor: the owner's link is not theirs
            return None
        if n.kind == "extension_request":
            return self.approve_url(row, n.recipients[0]) if self.approve_url else None
        return self.respond_url(row.id, row.owner_email, row.handovers)
