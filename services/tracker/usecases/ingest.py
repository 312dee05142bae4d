"""Apply consumed events to the tracker's tables, once per event id."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import structlog

from schemas import (
    DeliveryEvent,
    PanelEvent,
    RecommendationAgreed,
    RecommendationDeclined,
    RecommendationRecorded,
)
from schemas.envelope import CloudEvent
from schemas.policy import PolicyFile
from services.common.clock import london_today
from services.common.consumer import Rejected
from services.tracker.adapters import publish, timeline
from services.tracker.usecases import actions
from services.tracker.usecases.notices import NoticeRecorder
from services.tracker.usecases.unitofwork import Storage, UnitOfWork

log = structlog.get_logger()


class Handlers:
    def __init__(self, storage: Storage, policies: PolicyFile, wake=lambda: None,
                 recorder: NoticeRecorder | None = None) -> None:
        """Without `recorder` (replay), a failed delivery is kept but asks no one for a new owner."""
        self.storage, self.policies, self.wake, self.recorder = storage, policies, wake, recorder

    def handle(self, envelope: CloudEvent, data) -> None:
        self.handle_many([(envelope, data)])

    def handle_many(self, items: list[tuple[CloudEvent, object]]) -> None:
        """Apply a batch of events in one transaction, each once (the event id is the key).

        Agreed recommendations, the bulk of the traffic, are written a few statements per batch."""
        with self.storage.begin() as uow:
            fresh = uow.inbox.first_seen([str(e.id) for e, d in items if not isinstance(d, DeliveryEvent)])
            agreed = []
            for envelope, data in items:
                if isinstance(data, DeliveryEvent):
                    if envelope.type == "notice.failed":
                        self._delivery_failed(uow, envelope, data)
                    continue  # delivered: nothing for the tracker to change
                if str(envelope.id) not in fresh:
                    continue  # seen before: at-least-once delivery, applied once
                fresh.discard(str(envelope.id))  # the same event twice in one batch counts once
                if isinstance(data, RecommendationAgreed):
                    agreed.append((envelope, data))
                else:
                    self._apply(uow, envelope, data)
            self._agreed_many(uow, agreed)
        self.wake()

    def _apply(self, uow: UnitOfWork, envelope: CloudEvent, data) -> None:
        now = envelope.time  # when it was recorded, so a replay derives the same state
        match data:
            case PanelEvent():
                self._panel(uow, data)
            case RecommendationDeclined():
                self._declined(uow, data, london_today(now))
            case RecommendationRecorded() if data.decision == "in_principle":
                self._in_principle(uow, data, london_today(now))
            case RecommendationRecorded():
                # A counter-proposal the tracker recorded itself when the panel replied comes back
                # from intake with the same id: the insert does nothing.
                self._recommendation(uow, data.recommendation, "pending", respond_by=data.respond_by,
                                     ladder_since=london_today(now), next_action_on=data.respond_by,
                                     counter_to=str(data.counter_to) if data.counter_to else None)
            case _:
                raise Rejected(f"the tracker does not consume {envelope.type}")

    def _delivery_failed(self, uow: UnitOfWork, envelope: CloudEvent, data: DeliveryEvent) -> None:
        """The notifier gave up on an email: keep the fact, once, so it can be shown and chased. The
        first time, if it was to the commitment's owner, the owner is flagged and the supervisor asked
        for a new one (contract §5); the same failure again (a redelivery) changes nothing."""
        if not uow.inbox.delivery_failed(dict(notice_id=str(data.notice_id), recipient=str(data.recipient),
                                              attempts=data.attempts, error=data.error or "unknown",
                                              at=envelope.time)):
            return
        log.warning("notice.delivery_failed", notice_id=str(data.notice_id), attempts=data.attempts)
        if self.recorder:
            actions.owner_unreachable(uow, str(data.notice_id), str(data.recipient), now=envelope.time,
                                      today=london_today(envelope.time), recorder=self.recorder)

    def _panel(self, uow: UnitOfWork, data: PanelEvent) -> None:
        p = data.panel
        values = dict(name=p.name, area=p.area, police_lead=p.police_lead.model_dump(mode="json", exclude_none=True),
                      escalation=p.escalation.model_dump(mode="json", exclude_defaults=True),
                      access_code_sha256=p.access_code_hash or p.access_code_sha256, language=p.language)
        uow.panels.save(p.slug, values)

    def _recommendation(self, uow: UnitOfWork, rec, decision: str, **extra) -> bool:
        # The panel's event may not have arrived yet (another topic): recommendation
        # events stand alone, and the scan looks the panel up when it needs it.
        row = self._recommendation_row(rec, decision, **extra)
        return bool(uow.recommendations.add_new([row]))

    @staticmethod
    def _recommendation_row(rec, decision: str, **extra) -> dict:
        return dict(id=str(rec.id), panel=rec.panel, raised_on=rec.raised_on, title=rec.title, detail=rec.detail,
                    titles=dict(rec.titles) or None, themes=list(rec.themes), decision=decision, **extra)

    def _in_principle(self, uow: UnitOfWork, data: RecommendationRecorded, today: dt.date) -> None:
        """Yes in principle (contract §5): it still owes an answer, now by `decide_by`."""
        decide_by = data.decide_by or data.respond_by
        said = dict(decision="in_principle", principle_reason=data.reason, decide_by=decide_by, ladder_since=today,
                    next_action_on=decide_by)
        if self._recommendation(uow, data.recommendation, **said, respond_by=data.respond_by):
            return
        # Said of a pending one: its first clock (`respond_by`) is kept for the register's on-time
        # count; the ladder runs from `decide_by` with its own keys.
        row = uow.recommendations.get(str(data.recommendation.id), lock=True)
        if row is not None and row.decision == "pending":
            uow.recommendations.update(row.id, dict(**said, parked_at=None, parked_error=None))

    def _declined(self, uow: UnitOfWork, data: RecommendationDeclined, today: dt.date) -> None:
        rec = data.recommendation
        why = dict(decline_reason=data.reason, decline_code=data.decline_code, who_can=data.who_can)
        if not self._recommendation(uow, rec, "declined", **why, decided_on=today):
            # Decided after being pending (a first time, or again after the panel insisted): the
            # response clock stops.
            uow.recommendations.update(str(rec.id), dict(decision="declined", **why, next_action_on=None,
                                                          decided_on=today, parked_at=None, parked_error=None))

    def _agreed_many(self, uow: UnitOfWork, agreed: list[tuple[CloudEvent, RecommendationAgreed]]) -> None:
        if not agreed:
            return
        recs = [self._recommendation_row(d.recommendation, "agreed", decided_on=d.commitment.agreed_on)
                for _, d in agreed]
        new_recs = uow.recommendations.add_new(recs)
        # Those that were pending: the response clock stops.
        uow.recommendations.decided({r["id"]: r["decided_on"] for r in recs if r["id"] not in new_recs})
        rows = {str(d.commitment.id): (env.time, d, self._commitment_row(d, env.time)) for env, d in agreed}
        new = uow.commitments.add_new([row for _, _, row in rows.values()])
        records, events = [], []
        for cid in sorted(new):
            at, d, row = rows[cid]
            c = d.commitment
            record = timeline.first("agreed", {"action": c.action, "done_means": c.done_means,
                                               "due": c.due.isoformat(), "owner_role": c.owner.role}, at)
            records.append({"commitment_id": cid, **record})
            events.append(publish.commitment_event("commitment.opened", SimpleNamespace(**row, last_update_at=None),
                                                   london_today(at), record=record))
        uow.timeline.add_first(records)
        uow.outbox.add_many(events)

    def _commitment_row(self, data: RecommendationAgreed, at: dt.datetime) -> dict:
        rec, c = data.recommendation, data.commitment
        today = london_today(at)
        return dict(
            id=str(c.id), recommendation_id=str(rec.id), panel=rec.panel, action=c.action,
            done_means=c.done_means, owner_role=c.owner.role, owner_email=str(c.owner.email),
            owner_name=c.owner.name, owner_language=c.owner.language,
            escalation=c.escalation.model_dump(mode="json", exclude_defaults=True),
            agreed_on=c.agreed_on, due=c.due, original_due=c.due, due_version=1,
            update_every_days=c.update_every_days, ladder_since=max(today, c.agreed_on),
            status="open", update_count=0, disputes=0, completions=0, handovers=0, confirm_extra_days=0,
            policy=self.policies.for_panel(rec.panel).model_dump(mode="json"), next_action_on=today,
        )
