"""Apply consumed events to the tracker's tables, once per event id."""

from __future__ import annotations

import datetime as dt

import structlog
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from schemas import (
    DeliveryEvent, PanelEvent, RecommendationAgreed, RecommendationDeclined, RecommendationRecorded,
)
from schemas.envelope import CloudEvent
from services.common.consumer import Rejected
from services.common.db import insert_once
from services.tracker import publish, timeline
from services.tracker.clock import london_today

log = structlog.get_logger()
from services.tracker.domain.policy import PolicyFile
from services.tracker.store import commitments, delivery_failures, panels, processed_events, recommendations


class Handlers:
    def __init__(self, engine: Engine, policies: PolicyFile, wake=lambda: None) -> None:
        self.engine, self.policies, self.wake = engine, policies, wake

    def handle(self, envelope: CloudEvent, data) -> None:
        self.handle_many([(envelope, data)])

    def handle_many(self, items: list[tuple[CloudEvent, object]]) -> None:
        """Apply a batch of events in one transaction, each once."""
        with Session(self.engine) as session, session.begin():
            for envelope, data in items:
                self._apply(session, envelope, data)
        self.wake()

    def _apply(self, session: Session, envelope: CloudEvent, data) -> None:
        if isinstance(data, DeliveryEvent):
            if envelope.type == "notice.failed":
                self._delivery_failed(session, envelope, data)
            return  # delivered: nothing for the tracker to change
        now = envelope.time  # when it was recorded, so a replay derives the same state
        if not insert_once(session, processed_events, event_id=str(envelope.id)):
            return  # seen before: at-least-once delivery, applied once
        match data:
            case PanelEvent():
                self._panel(session, data)
            case RecommendationAgreed():
                self._agreed(session, data, now)
            case RecommendationDeclined():
                self._declined(session, data)
            case RecommendationRecorded():
                self._recommendation(session, data.recommendation, "pending", respond_by=data.respond_by,
                                     ladder_since=london_today(now), next_action_on=data.respond_by)
            case _:
                raise Rejected(f"the tracker does not consume {envelope.type}")

    def _delivery_failed(self, session: Session, envelope: CloudEvent, data: DeliveryEvent) -> None:
        """The notifier gave up on an email: keep the fact, once, so it can be shown and chased."""
        insert_once(session, delivery_failures, notice_id=str(data.notice_id), recipient=str(data.recipient),
                    attempts=data.attempts, error=data.error or "unknown", at=envelope.time)
        log.warning("notice.delivery_failed", notice_id=str(data.notice_id), attempts=data.attempts)

    def _panel(self, session: Session, data: PanelEvent) -> None:
        p = data.panel
        values = dict(name=p.name, area=p.area, police_lead=p.police_lead.model_dump(mode="json"),
                      escalation=p.escalation.model_dump(mode="json"))
        if not insert_once(session, panels, slug=p.slug, **values):
            session.execute(update(panels).where(panels.c.slug == p.slug).values(**values))

    def _recommendation(self, session: Session, rec, decision: str, **extra) -> bool:
        # The panel's event may not have arrived yet (another topic): recommendation
        # events stand alone, and the scan looks the panel up when it needs it.
        return insert_once(
            session, recommendations, id=str(rec.id), panel=rec.panel, raised_on=rec.raised_on,
            title=rec.title, detail=rec.detail, themes=list(rec.themes), decision=decision, **extra,
        )

    def _declined(self, session: Session, data: RecommendationDeclined) -> None:
        rec = data.recommendation
        if not self._recommendation(session, rec, "declined", decline_reason=data.reason):
            # Decided after being pending: the response clock stops.
            session.execute(update(recommendations).where(recommendations.c.id == str(rec.id))
                            .values(decision="declined", decline_reason=data.reason, next_action_on=None))

    def _agreed(self, session: Session, data: RecommendationAgreed, now: dt.datetime) -> None:
        rec, c = data.recommendation, data.commitment
        if not self._recommendation(session, rec, "agreed"):
            # Decided after being pending: the response clock stops.
            session.execute(update(recommendations).where(recommendations.c.id == str(rec.id))
                            .values(decision="agreed", next_action_on=None))
        today = london_today(now)
        policy = self.policies.for_panel(rec.panel)
        row = dict(
            id=str(c.id), recommendation_id=str(rec.id), panel=rec.panel, action=c.action,
            done_means=c.done_means, owner_role=c.owner.role, owner_email=str(c.owner.email),
            owner_name=c.owner.name, escalation=c.escalation.model_dump(mode="json"),
            agreed_on=c.agreed_on, due=c.due, original_due=c.due, due_version=1,
            update_every_days=c.update_every_days, ladder_since=max(today, c.agreed_on),
            status="open", update_count=0, disputes=0, completions=0,
            policy=policy.model_dump(mode="json"), next_action_on=today,
        )
        if not insert_once(session, commitments, **row):
            return
        stored = session.execute(select(commitments).where(commitments.c.id == str(c.id))).one()
        record = timeline.append(session, stored.id, "agreed",
                                 {"action": c.action, "done_means": c.done_means, "due": c.due.isoformat(),
                                  "owner_role": c.owner.role}, now)
        publish.emit_commitment(session, "commitment.opened", stored, today, record=record)
