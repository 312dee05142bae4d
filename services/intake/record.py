"""Turn a validated request into rows and their events, in one transaction."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from schemas import (
    CommitmentTerms,
    Escalation,
    Panel,
    PanelEvent,
    Recommendation,
    RecommendationAgreed,
    RecommendationDeclined,
    RecommendationRecorded,
    make_event,
)
from schemas.policy import Policy, PolicyFile
from services.common import accesscode
from services.common import outbox as outbox_mod
from services.common.clock import london_today
from services.common.db import for_update, insert_once
from services.common.problems import ALREADY_DECIDED, INVALID_REQUEST, NOT_FOUND, Problem, field_problem
from services.intake.requests import CommitmentIn, DecisionIn, PanelIn, RecommendationIn
from services.intake.store import outbox, panels, recommendations

SOURCE = "followthrough/intake"


def create_panel(session: Session, req: PanelIn, now: dt.datetime) -> str:
    """Insert the panel and its event; return the access code (shown once)."""
    code, verifier = accesscode.new()
    inserted = insert_once(
        session, panels, slug=req.slug, name=req.name, area=req.area, contact_email=req.contact_email,
        police_lead=req.police_lead.model_dump(mode="json"), escalation=req.escalation.model_dump(mode="json"),
        access_code_sha256=verifier,
    )
    if not inserted:
        raise field_problem("slug", f"a panel '{req.slug}' already exists", "Choose another slug.", status=409)
    panel = Panel(slug=req.slug, name=req.name, area=req.area, police_lead=req.police_lead,
                  escalation=req.escalation, access_code_hash=verifier)
    outbox_mod.add(session, outbox, make_event("panel.registered", req.slug, PanelEvent(panel=panel),
                                               source=SOURCE, time=now))
    return code


def rotate_access_code(session: Session, slug: str, now: dt.datetime) -> str:
    """A new access code for the panel (shown once); the tracker learns its verifier from
    `panel.updated`, and the old code stops working there. LookupError: no such panel."""
    row = session.execute(for_update(session, select(panels).where(panels.c.slug == slug))).first()
    if row is None:
        raise LookupError(slug)
    code, verifier = accesscode.new()
    session.execute(update(panels).where(panels.c.slug == slug).values(access_code_sha256=verifier))
    panel = Panel(slug=slug, name=row.name, area=row.area, police_lead=row.police_lead, escalation=row.escalation,
                  access_code_hash=verifier)
    outbox_mod.add(session, outbox, make_event("panel.updated", slug, PanelEvent(panel=panel),
                                               source=SOURCE, time=now))
    return code


def record_recommendation(session: Session, req: RecommendationIn, now: dt.datetime,
                          policy: Policy) -> tuple[str, str | None]:
    """Insert the recommendation (and its commitment terms) and the event."""
    today = london_today(now)
    panel = session.execute(select(panels).where(panels.c.slug == req.panel)).first()
    if panel is None:
        raise field_problem("panel", f"no panel '{req.panel}'", "Create the panel first or check the slug.", status=422)
    rec = Recommendation(id=uuid.uuid4(), panel=req.panel, raised_on=req.raised_on, title=req.title,
                         detail=req.detail, themes=req.themes)
    row = dict(id=str(rec.id), panel=req.panel, raised_on=req.raised_on, title=req.title,
               detail=req.detail, themes=req.themes, decision=req.decision)
    if req.decision == "agreed":
        terms = _terms(req.commitment, Escalation.model_validate(panel.escalation), today, policy)
        row.update(commitment_id=str(terms.id), commitment=terms.model_dump(mode="json"))
        event = make_event("recommendation.agreed", str(rec.id),
                           RecommendationAgreed(recommendation=rec, commitment=terms), source=SOURCE, time=now)
    elif req.decision == "declined":
        event = _declined(row, rec, req, now)
    else:
        # The police's clock runs from the day the panel made the recommendation, not from the
        # day it was typed in: recording a backlog late must not give the police more time.
        respond_by = req.raised_on + dt.timedelta(days=req.respond_within_days or policy.respond_within_days)
        row.update(respond_by=respond_by)
        event = make_event("recommendation.recorded", str(rec.id),
                           RecommendationRecorded(recommendation=rec, respond_by=respond_by), source=SOURCE, time=now)
    session.execute(recommendations.insert().values(**row))
    outbox_mod.add(session, outbox, event)
    return str(rec.id), row.get("commitment_id")


def decide_pending(session: Session, rec_id: str, req: DecisionIn, now: dt.datetime,
                   policies: PolicyFile) -> tuple[str, str | None, str]:
    """Agree or decline a pending recommendation; returns (id, commitment id, panel)."""
    today = london_today(now)
    # Two decisions at once: the second waits on the lock, then sees it decided.
    row = session.execute(for_update(session, select(recommendations).where(recommendations.c.id == rec_id))).first()
    if row is None:
        raise NOT_FOUND(f"There is no recommendation {rec_id}; check the id.")
    if row.decision != "pending":
        raise ALREADY_DECIDED(f"This recommendation was already {row.decision}.")
    errors = req.problems(row.raised_on)
    if errors:
        raise invalid(errors)
    panel = session.execute(select(panels).where(panels.c.slug == row.panel)).one()
    rec = Recommendation(id=row.id, panel=row.panel, raised_on=row.raised_on, title=row.title,
                         detail=row.detail, themes=row.themes)
    values: dict = {"decision": req.decision}
    if req.decision == "agreed":
        terms = _terms(req.commitment, Escalation.model_validate(panel.escalation), today,
                       policies.for_panel(row.panel))
        values.update(commitment_id=str(terms.id), commitment=terms.model_dump(mode="json"))
        event = make_event("recommendation.agreed", rec_id,
                           RecommendationAgreed(recommendation=rec, commitment=terms), source=SOURCE, time=now)
    else:
        event = _declined(values, rec, req, now)
    session.execute(update(recommendations).where(recommendations.c.id == rec_id).values(**values))
    outbox_mod.add(session, outbox, event)
    return rec_id, values.get("commitment_id"), row.panel


def _declined(row: dict, rec: Recommendation, req: RecommendationIn | DecisionIn, now: dt.datetime) -> dict:
    """A decline's columns into `row`, and its event: the code (default `other`) and, for no_power, who can."""
    code = req.decline_code or "other"
    row.update(decline_reason=req.decline_reason, decline_code=code, who_can=req.who_can)
    data = RecommendationDeclined(recommendation=rec, reason=req.decline_reason, decline_code=code, who_can=req.who_can)
    return make_event("recommendation.declined", str(rec.id), data, source=SOURCE, time=now)


def _terms(c: CommitmentIn, panel_ladder: Escalation, today: dt.date, policy: Policy) -> CommitmentTerms:
    agreed_on = c.agreed_on or today
    if agreed_on > today:
        raise field_problem("commitment.agreed_on", "is in the future", "Record an agreement once it is made.")
    return CommitmentTerms(
        id=uuid.uuid4(), action=c.action, done_means=c.done_means, owner=c.owner,
        escalation=c.escalation or panel_ladder, agreed_on=agreed_on, due=c.due,
        update_every_days=c.update_every_days or policy.update_every_days,
    )


def invalid(errors: list[dict]) -> Problem:
    return INVALID_REQUEST.fields(errors)
