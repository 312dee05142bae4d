"""Recording panels, recommendations and the police's decisions: each in one transaction with
its event (an outbox row), once per Idempotency-Key. Refusals are use-case errors
(`usecases/errors.py`), turned into HTTP answers at the web edge."""

from __future__ import annotations

import datetime as dt
import uuid

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
from services.common.clock import london_today
from services.common.tokens import Principal
from services.intake.domain.languages import PANEL as PANEL_LANGUAGES
from services.intake.domain.submissions import CommitmentIn, DecisionIn, PanelIn, RecommendationIn
from services.intake.usecases.errors import AlreadyDecided, AlreadyExists, Invalid, NotFound, OutsidePanel
from services.intake.usecases.ports import Storage, Store

SOURCE = "followthrough/intake"
ACCESS_CODE_SHOWN_ONCE = ("The access code was shown once, in the first answer to this request, and is not kept. "
                          "If it is lost, an admin gives the panel a new one with "
                          "`followthrough panel rotate-code SLUG`.")


def register_panel(storage: Storage, req: PanelIn, now: dt.datetime, *, key: str | None, caller: str,
                   public_url: str) -> tuple[int, dict]:
    """The panel and its event, once per key; the answer carries the access code (shown once:
    a repeat gets a note in its place)."""
    def work(store: Store) -> tuple[int, dict]:
        code = create_panel(store, req, now)
        return 201, {"slug": req.slug, "access_code": code, "status_url": f"{public_url}/panels/{req.slug}"}

    return storage.run_once(key, "panel:" + req.model_dump_json(), work, caller=caller, now=now,
                            shown_once={"access_code": ACCESS_CODE_SHOWN_ONCE})


def create_panel(store: Store, req: PanelIn, now: dt.datetime) -> str:
    """Insert the panel and its event; return the access code (shown once)."""
    code, verifier = accesscode.new()
    inserted = store.add_panel(dict(
        slug=req.slug, name=req.name, area=req.area, contact_email=req.contact_email,
        police_lead=req.police_lead.model_dump(mode="json"), escalation=req.escalation.model_dump(mode="json"),
        access_code_sha256=verifier, language=req.language))
    if not inserted:
        raise AlreadyExists(f"a panel '{req.slug}' already exists", field="slug", fix="Choose another slug.")
    panel = Panel(slug=req.slug, name=req.name, area=req.area, police_lead=req.police_lead,
                  escalation=req.escalation, language=req.language, access_code_hash=verifier)
    store.publish(make_event("panel.registered", req.slug, PanelEvent(panel=panel), source=SOURCE, time=now))
    return code


def rotate_access_code(storage: Storage, slug: str, now: dt.datetime) -> str:
    """A new access code for the panel (shown once); the tracker learns its verifier from
    `panel.updated`, and the old code stops working there."""
    with storage.transaction() as store:
        row = store.panel(slug, lock=True)
        if row is None:
            raise NotFound(f"There is no panel {slug!r}; check the slug.")
        code, verifier = accesscode.new()
        store.set_access_code(slug, verifier)
        panel = Panel(slug=slug, name=row.name, area=row.area, police_lead=row.police_lead,
                      escalation=row.escalation, language=row.language or "en", access_code_hash=verifier)
        store.publish(make_event("panel.updated", slug, PanelEvent(panel=panel), source=SOURCE, time=now))
    return code


def set_panel_language(storage: Storage, slug: str, language: str, now: dt.datetime) -> None:
    """The panel's pages open in `language` from now on (contract §8.4): a panel registered before
    panels had one is `en`. The tracker learns it from `panel.updated`; the access code stays."""
    if language not in PANEL_LANGUAGES:
        raise Invalid(f"{language!r} is not a panel language we know here", field="language",
                      fix="Use en, cy or bilingual.")
    with storage.transaction() as store:
        row = store.panel(slug, lock=True)
        if row is None:
            raise NotFound(f"There is no panel {slug!r}; check the slug.")
        store.set_panel_language(slug, language)
        verifier = row.access_code_sha256
        code = {"access_code_hash": verifier} if verifier and verifier.startswith("$scrypt$") \
            else {"access_code_sha256": verifier}
        panel = Panel(slug=slug, name=row.name, area=row.area, police_lead=row.police_lead,
                      escalation=row.escalation, language=language, **code)
        store.publish(make_event("panel.updated", slug, PanelEvent(panel=panel), source=SOURCE, time=now))


def check(req: RecommendationIn, who: Principal, themes: tuple[str, ...], today: dt.date | None = None) -> None:
    """A recommendation's rules across fields, and whether this person may record it."""
    errors = req.problems(themes, today)
    if errors:
        raise Invalid("The request breaks a rule; see errors.", errors=errors)
    if not who.may_write_panel(req.panel):
        raise outside_panel(who)


def record_one(storage: Storage, req: RecommendationIn, now: dt.datetime, *, who: Principal, key: str | None,
               policies: PolicyFile, themes: tuple[str, ...], public_url: str) -> tuple[int, dict]:
    """One recommendation from the API, once per key."""
    check(req, who, themes, london_today(now))

    def work(store: Store) -> tuple[int, dict]:
        rec_id, commitment_id = record_recommendation(store, req, now, policies.for_panel(req.panel))
        return 201, {"recommendation_id": rec_id, "commitment_id": commitment_id,
                     "status_url": f"{public_url}/panels/{req.panel}"}

    return storage.run_once(key, "rec:" + req.model_dump_json(), work, caller=who.token_id, now=now)


def record_session(storage: Storage, requests: list[RecommendationIn], fingerprint: str, now: dt.datetime, *,
                   who: Principal, key: str | None, policies: PolicyFile) -> list[str]:
    """A session's recommendations (checked by the form), all or none, once per key; their ids."""
    for req in requests:
        if not who.may_write_panel(req.panel):
            raise outside_panel(who)

    def work(store: Store) -> tuple[int, dict]:
        ids = [record_recommendation(store, req, now, policies.for_panel(req.panel))[0] for req in requests]
        return 201, {"recorded": ids}

    return storage.run_once(key, fingerprint, work, caller=who.token_id, now=now)[1]["recorded"]


def decide(storage: Storage, rec_id: str, req: DecisionIn, now: dt.datetime, *, who: Principal, key: str | None,
           policies: PolicyFile, public_url: str) -> tuple[int, dict]:
    """The police's decision on a pending recommendation, once per key."""
    def work(store: Store) -> tuple[int, dict]:
        _, commitment_id, panel = decide_pending(store, rec_id, req, now, policies)
        if not who.may_write_panel(panel):
            raise outside_panel(who)
        return 201, {"recommendation_id": rec_id, "commitment_id": commitment_id,
                     "status_url": f"{public_url}/panels/{panel}"}

    return storage.run_once(key, f"decision:{rec_id}:" + req.model_dump_json(), work, caller=who.token_id, now=now)


def record_recommendation(store: Store, req: RecommendationIn, now: dt.datetime,
                          policy: Policy) -> tuple[str, str | None]:
    """Insert the recommendation (and its commitment terms) and the event."""
    today = london_today(now)
    panel = store.panel(req.panel)
    if panel is None:
        raise Invalid(f"no panel '{req.panel}'", field="panel", fix="Create the panel first or check the slug.")
    rec = Recommendation(id=uuid.uuid4(), panel=req.panel, raised_on=req.raised_on, title=req.title,
                         titles=req.titles, detail=req.detail, themes=req.themes)
    row = dict(id=str(rec.id), panel=req.panel, raised_on=req.raised_on, title=req.title, titles=req.titles or None,
               detail=req.detail, themes=req.themes, decision=req.decision)
    if req.decision == "agreed":
        terms = _terms(req.commitment, Escalation.model_validate(panel.escalation), today, policy)
        row.update(commitment_id=str(terms.id), commitment=terms.model_dump(mode="json"))
        event = make_event("recommendation.agreed", str(rec.id),
                           RecommendationAgreed(recommendation=rec, commitment=terms), source=SOURCE, time=now)
    elif req.decision == "declined":
        event = _declined(row, rec, req, now)
    elif req.decision == "in_principle":
        # Decided at the session: the default clock runs from that day, like a pending one's.
        days = req.respond_within_days or policy.respond_within_days
        event = _in_principle(row, rec, req, req.raised_on + dt.timedelta(days=days), now)
    else:
        # The police's clock runs from the day the panel made the recommendation, not from the
        # day it was typed in: recording a backlog late must not give the police more time.
        respond_by = req.raised_on + dt.timedelta(days=req.respond_within_days or policy.respond_within_days)
        row.update(respond_by=respond_by)
        event = make_event("recommendation.recorded", str(rec.id),
                           RecommendationRecorded(recommendation=rec, respond_by=respond_by), source=SOURCE, time=now)
    store.add_recommendation(row)
    store.publish(event)
    return str(rec.id), row.get("commitment_id")


def decide_pending(store: Store, rec_id: str, req: DecisionIn, now: dt.datetime,
                   policies: PolicyFile) -> tuple[str, str | None, str]:
    """Agree or decline a pending recommendation; returns (id, commitment id, panel)."""
    today = london_today(now)
    # Two decisions at once: the second waits on the lock, then sees it decided.
    row = store.recommendation(rec_id, lock=True)
    if row is None:
        raise NotFound(f"There is no recommendation {rec_id}; check the id.")
    if row.decision not in ("pending", "in_principle"):
        raise AlreadyDecided(f"This recommendation was already {row.decision}.")
    errors = req.problems(row.raised_on, today)
    if row.decision == "in_principle" and req.decision == "in_principle":
        errors.append({"field": "decision", "message": "is already in_principle",
                       "fix": "Now agree it (decision agreed, with a commitment) or decline it (decision declined, "
                              "with a decline_reason): yes in principle is said once."})
    if errors:
        raise Invalid("The request breaks a rule; see errors.", errors=errors)
    panel = store.panel(row.panel)
    rec = Recommendation(id=row.id, panel=row.panel, raised_on=row.raised_on, title=row.title,
                         titles=row.titles or {}, detail=row.detail, themes=row.themes)
    values: dict = {"decision": req.decision}
    if req.decision == "agreed":
        terms = _terms(req.commitment, Escalation.model_validate(panel.escalation), today,
                       policies.for_panel(row.panel))
        values.update(commitment_id=str(terms.id), commitment=terms.model_dump(mode="json"))
        event = make_event("recommendation.agreed", rec_id,
                           RecommendationAgreed(recommendation=rec, commitment=terms), source=SOURCE, time=now)
    elif req.decision == "in_principle":
        default = today + dt.timedelta(days=policies.for_panel(row.panel).respond_within_days)
        event = _in_principle(values, rec, req, default, now)
    else:
        event = _declined(values, rec, req, now)
    store.update_recommendation(rec_id, values)
    store.publish(event)
    return rec_id, values.get("commitment_id"), row.panel


def _declined(row: dict, rec: Recommendation, req: RecommendationIn | DecisionIn, now: dt.datetime):
    """A decline's columns into `row`, and its event: the code (default `other`) and, for no_power, who can."""
    code = req.decline_code or "other"
    row.update(decline_reason=req.decline_reason, decline_code=code, who_can=req.who_can)
    data = RecommendationDeclined(recommendation=rec, reason=req.decline_reason, decline_code=code, who_can=req.who_can)
    return make_event("recommendation.declined", str(rec.id), data, source=SOURCE, time=now)


def _in_principle(row: dict, rec: Recommendation, req: RecommendationIn | DecisionIn, default: dt.date,
                  now: dt.datetime):
    """Yes in principle: its columns into `row`, and its event. It still owes an answer by `decide_by`,
    so it travels as a recorded recommendation whose `respond_by` is that day (contract §5)."""
    decide_by = req.decide_by or default
    row.update(principle_reason=req.reason, decide_by=decide_by)
    data = RecommendationRecorded(recommendation=rec, respond_by=decide_by, decision="in_principle",
                                  reason=req.reason, decide_by=decide_by)
    return make_event("recommendation.recorded", str(rec.id), data, source=SOURCE, time=now)


def _terms(c: CommitmentIn, panel_ladder: Escalation, today: dt.date, policy: Policy) -> CommitmentTerms:
    agreed_on = c.agreed_on or today
    if agreed_on > today:
        raise Invalid("is in the future", field="commitment.agreed_on", fix="Record an agreement once it is made.")
    return CommitmentTerms(
        id=uuid.uuid4(), action=c.action, done_means=c.done_means, owner=c.owner,
        escalation=c.escalation or panel_ladder, agreed_on=agreed_on, due=c.due,
        update_every_days=c.update_every_days or policy.update_every_days,
    )


def outside_panel(who: Principal) -> OutsidePanel:
    return OutsidePanel(f"This facilitator token is limited to panel '{who.panel}'.")


def panel(storage: Storage, slug: str):
    """The panel's slug and name, or None."""
    with storage.transaction() as store:
        return store.panel(slug)


def panels(storage: Storage) -> list:
    """Every panel's slug and name, by name."""
    with storage.transaction() as store:
        return store.panels()
