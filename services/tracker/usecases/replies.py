"""The youth panel answers a police decision with its access code (contract §5): accept, insist or
counter. One reply per decision: the reply's row is unique on (recommendation, decision, round),
and its event id is derived from the same three, so a second reply is refused by the database.

- `insist` on a decline: the recommendation is pending again with a new response clock from
  today (the policy's `respond_within_days`) in a new answer round, whose `response_due` notices
  have keys of their own; the panel's police lead and the supervisor are told at once.
- `insist` on a withdrawal: the owner and the supervisor are told at once, with the comment.
- `counter`: a new pending recommendation, `counter_to` the first, with its own clock.

The reply goes out as `recommendation.replied` on `followthrough.replies`; intake reads it to
let the police decide again, and records the counter-proposal as its own. The reply is also an entry
in its recommendation's hash chain (`domain/panelchain.py`), which the panel's audit checks the stored
row against."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from schemas import RecommendationReplied, make_event
from schemas.models import CounterProposal
from schemas.policy import PolicyFile
from services.common.clock import Clock, london_today
from services.common.consumer import Rejected
from services.tracker.adapters import convert
from services.tracker.domain import decide_insisted
from services.tracker.domain.reply import answered_decision, check_reply, new_response_deadline
from services.tracker.usecases.errors import Incomplete, NotFound, UseCaseError
from services.tracker.usecases.notices import NoticeRecorder
from services.tracker.usecases.unitofwork import Storage, UnitOfWork

SOURCE = "followthrough/tracker"
# Fixed forever: reply event ids and counter-proposal ids are derived from it.
REPLY_NS = uuid.UUID("3b8e2f61-4c0a-4d9e-b7a5-9e1f0c6d2a48")


ANSWERED = "Your panel has already answered this decision. Its answer is on your panel's page."


class AlreadyReplied(UseCaseError):
    """The panel has already answered this decision."""


@dataclass(frozen=True)
class Reply:
    id: str
    recommendation_id: str
    panel: str
    decision: str
    reply: str
    respond_by: dt.date | None
    counter_id: str | None


def reply_id(recommendation_id: str, decision: str, round: int) -> uuid.UUID:
    return uuid.uuid5(REPLY_NS, f"{recommendation_id}:{decision}:{round}")


def counter_id(event_id: uuid.UUID) -> uuid.UUID:
    """The counter-proposal's id: uuid5 of the reply event's id, so intake records the same one."""
    return uuid.uuid5(REPLY_NS, str(event_id))


def panel_of(storage: Storage, recommendation_id: str) -> str:
    with storage.begin() as uow:
        rec = uow.recommendations.get(recommendation_id)
    if rec is None:
        raise NotFound(f"There is no recommendation {recommendation_id}; check the id.")
    return rec.panel


def reply(storage: Storage, clock: Clock, policies: PolicyFile, recorder: NoticeRecorder, recommendation_id: str, *,
          reply: str, comment: str, title: str | None = None, detail: str | None = None) -> Reply:
    now, today = clock.now(), clock.today()
    with storage.begin() as uow:
        rec = uow.recommendations.get(recommendation_id, lock=True)
        if rec is None:
            raise NotFound(f"There is no recommendation {recommendation_id}; check the id.")
        row = uow.commitments.of_recommendation(rec.id)
        decision = answered_decision(rec.decision, row.status if row else None)
        round_ = rec.response_round or 1
        eid = reply_id(rec.id, decision, round_)
        if uow.replies.exists(str(eid)):  # the insert below guards
            raise AlreadyReplied(ANSWERED)
        check_reply(decision, reply)
        if reply == "counter" and not title:
            raise Incomplete("title: say in one line what you propose instead.", field="title",
                             fix="Add a title for your new proposal.")
        policy = policies.for_panel(rec.panel)
        respond_by = counter = None
        if reply == "insist" and decision == "declined" or reply == "counter":
            respond_by = new_response_deadline(today, policy).respond_by
        if reply == "counter":
            counter = CounterProposal(id=counter_id(eid), title=title, detail=detail or comment,
                                      themes=list(rec.themes))
        if not _record(uow, dict(id=str(eid), recommendation_id=rec.id, panel=rec.panel, decision=decision,
                                 round=round_, reply=reply, comment=comment, respond_by=respond_by,
                                 counter_id=str(counter.id) if counter else None, at=now)):
            raise AlreadyReplied(ANSWERED)
        if reply == "insist":
            _insist(uow, recorder, rec, row, decision, comment, respond_by, today, now)
        if counter:
            _counter(uow, rec.id, rec.panel, counter, respond_by, today)
        data = RecommendationReplied(recommendation_id=rec.id, panel=rec.panel, decision=decision, reply=reply,
                                     comment=comment, respond_by=respond_by, counter=counter)
        uow.outbox.add(make_event("recommendation.replied", rec.id, data, source=SOURCE, event_id=eid, time=now))
    return Reply(id=str(eid), recommendation_id=rec.id, panel=rec.panel, decision=decision, reply=reply,
                 respond_by=respond_by, counter_id=str(counter.id) if counter else None)


def _record(uow: UnitOfWork, values: dict) -> bool:
    """The reply's row and its entry in the recommendation's hash chain (at the event's time, so a replay
    rebuilds the same hash); False if the decision was already answered."""
    if not uow.replies.add(values):
        return False
    uow.panel_chain.reply(values)
    return True


def _counter(uow: UnitOfWork, rec_id: str, panel: str, counter: CounterProposal, respond_by: dt.date | None,
             today: dt.date) -> None:
    """The counter-proposal, pending with its own clock; its id is fixed, so a replay adds it once."""
    uow.recommendations.add_new([dict(
        id=str(counter.id), panel=panel, raised_on=today, title=counter.title, detail=counter.detail,
        themes=list(counter.themes), decision="pending", counter_to=rec_id, respond_by=respond_by,
        ladder_since=today, next_action_on=respond_by)])


def _insist(uow: UnitOfWork, recorder: NoticeRecorder, rec, row, decision: str, comment: str,
            respond_by: dt.date | None, today: dt.date, now: dt.datetime) -> None:
    if decision == "declined":
        # Back to the police, in a new answer round: a new clock and its own response_due notices.
        new_round = (rec.response_round or 1) + 1
        rec = uow.recommendations.update(rec.id, dict(
            decision="pending", respond_by=respond_by, ladder_since=today, next_action_on=respond_by,
            response_round=new_round, parked_at=None, parked_error=None))
        panel = uow.panels.get(rec.panel)
        if panel is None:
            return  # the panel's event is still on its way: the response ladder will tell them
        contacts = convert.contacts(panel.police_lead["email"], panel.escalation)
        notice = decide_insisted(contacts, decision, f"r{new_round}", comment, today, respond_by)
        recorder.record(uow.notices, notice, rec, None, now, panel=panel)
    else:
        contacts = convert.contacts(row.owner_email, row.escalation)
        recorder.record(uow.notices, decide_insisted(contacts, decision, "withdrawn", comment, today), rec, row,
                        now)


def restore(storage: Storage, event_id: str, at: dt.datetime, data: RecommendationReplied) -> None:
    """`followthrough replay`: the reply's row and the state it changed, from its event (its notices
    come back from `followthrough.notices`, like every other notice)."""
    rec_id = str(data.recommendation_id)
    with storage.begin() as uow:
        rec = uow.recommendations.get(rec_id)
        if rec is None:
            raise Rejected(f"a reply to an unknown recommendation {rec_id}")
        round_ = rec.response_round or 1
        counter = data.counter
        if not _record(uow, dict(id=event_id, recommendation_id=rec_id, panel=data.panel, decision=data.decision,
                                 round=round_, reply=data.reply, comment=data.comment, respond_by=data.respond_by,
                                 counter_id=str(counter.id) if counter else None, at=at)):
            return
        today = london_today(at)
        if data.reply == "insist" and data.decision == "declined":
            uow.recommendations.update(rec_id, dict(
                decision="pending", respond_by=data.respond_by, ladder_since=today, next_action_on=data.respond_by,
                response_round=round_ + 1))
        if counter:
            _counter(uow, rec_id, data.panel, counter, data.respond_by, today)
