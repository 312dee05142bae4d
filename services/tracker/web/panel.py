"""The youth panel's status page `/panels/{slug}` (contract §5), phone first: what needs the panel
(late, waiting for its check, disputed) comes first and open; the rest is folded in `<details>`;
a kept promise leads with what changed for the young people. Long lists are paged (40 cards a
page), so a page stays well under 50 KB. The page carries the verdict forms and the trust pulse
(its form, and its results once a month has enough answers). No JavaScript, no email address."""

from __future__ import annotations

import datetime as dt
from typing import Callable, Optional

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import escape

from services.common import i18n
from services.common.csrf import CsrfError
from services.common.i18n import N_, _
from services.common.problems import INVALID_REQUEST, NOT_FOUND, Problem
from services.tracker.domain.rules import OWING
from services.tracker.usecases import actions, commitmentview, panelview
from services.tracker.usecases import pulse as pulse_uc
from services.tracker.usecases import replies as replies_uc
from services.tracker.web import replyview, reportsummary, views
from services.tracker.web.bodies import PulseIn, ReopenIn, ReplyIn, VerdictIn
from services.tracker.web.errors import Refusal, as_problem
from services.tracker.web.forms import client_of, form_model
from services.tracker.web.look import message_page, templates
from services.tracker.web.pulse import pulse_view, refuse_if_answered_here, remember_answered_here
from services.tracker.web.remember import RememberedCodes

router = APIRouter(include_in_schema=False)
MESSAGES = {"confirmed": N_("Thank you. You said it is done."),
            "disputed": N_("Thank you. You said it is not done, so senior police will be told."),
            "pulse": N_("Thank you. Your answer is counted. No one can see who sent it."),
            "reopened": N_("Thank you. It is open again: police must work on it, and their boss is told."),
            "accept": N_("Thank you. Your answer is on this page."),
            "insist": N_("Thank you. The police must answer again, and their boss was told."),
            "counter": N_("Thank you. Your new idea is on this page. The police must answer it."),
            "forgot": N_("This device has forgotten your panel's access code. The forms will ask for it again.")}
# What a form's request model is given for the code where the device remembers it: never checked.
ON_DEVICE = "(remembered on this device)"
CODE_CHANGED = N_("This device remembered an access code that has since changed. Type the code your youth worker "
                  "gave you: this device will remember it.")


@router.get("/panels/{slug}", response_class=HTMLResponse)
def panel_page(slug: str, request: Request, done: Optional[str] = None, show: Optional[str] = None,
               page: int = Query(default=1, ge=1, le=10_000)) -> Response:
    return panel_response(slug, request, message=MESSAGES.get(done or ""), page=page, show=show)


def panel_response(slug: str, request: Request, status_code: int = 200, message: str | None = None,
                   error: str | None = None, page: int = 1, show: str | None = None,
                   field: str | None = None) -> Response:
    """`field`: the form field of card `show` that the error is about; the error is shown beside it too."""
    token, nonce = request.app.state.csrf.issue(request)
    engine = request.app.state.engine
    # Before any words: the panel's language is the page's unless the visitor chose one (the cache keys on it).
    i18n.use_panel_language(panelview.panel_language(engine, slug))
    message, error = (_(message) if message else None), (_(error) if error else None)
    cache = request.app.state.page_cache
    today = request.app.state.clock.today()
    remembered = RememberedCodes.of(request).remembers(request, slug, engine)
    if message or error or show:  # a page for one visitor only
        html = render_panel(engine, slug, today, token, page, message, error, show, remembered, field)
    else:
        i18n.keep_in_twin(page=page if page > 1 else None)  # everyone gets this copy: nothing of the first address
        html = cache.get((slug, today, page, remembered),
                         lambda marker: render_panel(engine, slug, today, marker, page, remembered=remembered))
        html = html and html.replace(cache.marker, token)
    if html is None:
        return message_page(request, 404, _("No such panel"),
                            _("We cannot find this panel. Check the link you were given."))
    return request.app.state.csrf.remember(request, HTMLResponse(html, status_code=status_code), nonce)


def render_panel(engine, slug: str, today: dt.date, csrf: str, page: int = 1, message: str | None = None,
                 error: str | None = None, show: str | None = None, remembered: bool = False,
                 field: str | None = None) -> str | None:
    """The page; `remembered`: this device remembers the panel's code, so its forms do not ask for it."""
    snap = panelview.panel_snapshot(engine, slug, today)
    if snap is None:
        return None
    panel, recs, rows, entries = snap.panel, snap.recommendations, snap.commitments, snap.entries
    pulse = pulse_view(snap.pulse, today, snap.answered)
    answers = replyview.collect(snap.replies, {rid: views.title_of(r) for rid, r in recs.items()})
    ordered = views.panel_order(rows, today)
    items = [views.commitment_view(r, recs[r.recommendation_id], entries.get(r.id, []), today) for r in ordered]
    # The panel's right of reply: each decision it has not answered yet carries a form.
    forms = {r.id: answers.form(recs[r.recommendation_id], "withdrawn" if r.status == "withdrawn" else "agreed")
             for r in ordered}
    card_replies = {r.id: answers.of(r.recommendation_id) for r in ordered}
    pending = [{"id": r.id, "title": views.title_of(r), **_answer_by(r, today),
                "counter_to": views.title_of(recs[r.counter_to]) if r.counter_to in recs else None,
                "insisted": (r.response_round or 1) > 1, "replies": answers.of(r.id)}
               for r in recs.values() if r.decision in OWING]
    declined = [{"id": r.id, "title": views.title_of(r), "reason": r.decline_reason,
                 "code": _(replyview.DECLINE_CODE_WORDS.get(r.decline_code or "other", "")),
                 "who_can": replyview.who_can_line(r), "replies": answers.of(r.id),
                 "form": answers.form(r, "declined")}
                for r in recs.values() if r.decision == "declined"]
    ideas = sum(400 + len(escape(r["title"])) + len(escape(r.get("reason") or r.get("principle") or ""))
                + (replyview.FORM_BYTES if r.get("form") else 0) for r in pending + declined)
    bounds = views.paged([views.card_bytes(v) + (replyview.FORM_BYTES if forms[v.id] else 0) for v in items],
                         first_page_extra=ideas)
    if show:  # the page holding the card just answered
        at = next((i for i, v in enumerate(items) if v.id == show), None)
        page = next((n for n, (a, b) in enumerate(bounds, 1) if at is not None and a <= at < b), page)
    page = min(page, len(bounds))
    start, end = bounds[page - 1]
    cards_of: dict[str, list] = {}
    for v, r in zip(items[start:end], ordered[start:end], strict=True):
        cards_of.setdefault("first" if views.needs_you(r, today) else views.group_of(r.status), []).append(v)
    groups = [{"key": key, "heading": _(heading), "cards": cards_of[key],
               "open": any(c.id == show for c in cards_of[key])}
              for key, heading in views.GROUPS if cards_of.get(key)]
    summary = views.summary(items, len(pending))
    return templates.get_template("panel.html").render({
        "panel": panel, "first": cards_of.get("first", []), "groups": groups, "s": summary,
        "bars": views.chart(summary), "page": page, "pages": len(bounds), "pulse": pulse,
        "pending": pending if page == 1 else [], "declined": declined if page == 1 else [],
        "message": message, "error": error, "csrf": csrf, "reply_forms": forms, "card_replies": card_replies,
        "remembered": remembered, "field_error": {"card": show, "field": field, "text": error} if field else None,
        "in_lang": views.lang_query(),
        "report_summary": reportsummary.panel_quarter(engine, slug, today) if page == 1 else None,
    })


def _panel_form(slug: str, request: Request, csrf: str, access_code: str,
                act: Callable[[str | None], str], card: str | None = None) -> Response:
    """A panel's form: checked like the API (`act` does it and names where to go next), any refusal
    shown on the panel's page beside the form, then back to the page. `act` gets the code as typed,
    or None where this device remembers the panel's code (remember.py) and none was typed; a right
    code typed is remembered on the device."""
    state = request.app.state
    devices = RememberedCodes.of(request)
    typed = bool(access_code.strip())
    try:
        state.csrf.check(request, csrf)
        # Read before the check: a rotation after it ends what we keep.
        verifier = panelview.code_verifier(state.engine, slug)
        remembered = not typed and devices.remembers(request, slug, state.engine)
        if not typed and not remembered and devices.holds(request):
            raise INVALID_REQUEST(CODE_CHANGED, errors=[{"field": "access_code", "message": CODE_CHANGED}])
        then = act(None if remembered else access_code)
    except CsrfError as exc:
        return panel_response(slug, request, status_code=403, error=str(exc))
    except Refusal as exc:
        problem = as_problem(exc)
        field = next((e.get("field") for e in problem.errors or [] if e.get("field") == "comment"), None)
        return panel_response(slug, request, status_code=problem.status, error=problem.detail,
                              show=card if field else None, field=field if card else None)
    state.after_write()
    response = RedirectResponse(f"/panels/{slug}?{then}", status_code=303)
    if typed and verifier:
        devices.keep(response, slug, verifier)
    return response


def _code(code: str | None) -> str:
    """The code for a form's request model: as typed, or a stand-in (never checked) where the device remembers it."""
    return ON_DEVICE if code is None else code


def _on_this_page(engine, commitment_id: str, slug: str) -> None:
    """A form under /panels/{slug} answers only that panel's promises (and so remembers only its code)."""
    if commitmentview.panel_of(engine, commitment_id) != slug:
        raise NOT_FOUND(N_("This promise is not on this panel's page."))


@router.post("/panels/{slug}/forget-code", response_class=HTMLResponse)
def forget_code(slug: str, request: Request, csrf: str = Form("")) -> Response:
    """"Not you?": this device forgets the panel's code, so its forms ask for it again."""
    try:
        request.app.state.csrf.check(request, csrf)
    except CsrfError as exc:
        return panel_response(slug, request, status_code=403, error=str(exc))
    response = RedirectResponse(f"/panels/{slug}?done=forgot", status_code=303)
    RememberedCodes.of(request).forget(response, slug)
    return response


@router.post("/panels/{slug}/commitments/{commitment_id}/verdict", response_class=HTMLResponse)
def panel_verdict(slug: str, commitment_id: str, request: Request, verdict: str = Form(""),
                  access_code: str = Form(""), comment: str = Form(""), csrf: str = Form("")) -> Response:
    state = request.app.state

    def act(code: str | None) -> str:
        if verdict not in ("confirmed", "disputed"):
            raise INVALID_REQUEST(N_("Choose yes or no, then send your answer."))
        body = form_model(VerdictIn, verdict=verdict, comment=comment, access_code=_code(code))
        _on_this_page(state.engine, commitment_id, slug)
        if code is not None:
            state.access.check(commitment_id, body.access_code, client_of(request))
        actions.run(state.storage, state.clock, commitment_id, actions.verdict, verdict=body.verdict,
                    comment=body.comment)
        return f"done={body.verdict}&show={commitment_id}#c-{commitment_id}"
    return _panel_form(slug, request, csrf, access_code, act, card=commitment_id)


@router.post("/panels/{slug}/commitments/{commitment_id}/reopen", response_class=HTMLResponse)
def panel_reopen(slug: str, commitment_id: str, request: Request, access_code: str = Form(""),
                 comment: str = Form(""), csrf: str = Form("")) -> Response:
    """"Still working?" answered no: the panel reopens a kept promise with its access code."""
    state = request.app.state

    def act(code: str | None) -> str:
        body = form_model(ReopenIn, comment=comment, access_code=_code(code))
        _on_this_page(state.engine, commitment_id, slug)
        if code is not None:
            state.access.check(commitment_id, body.access_code, client_of(request))
        actions.run(state.storage, state.clock, commitment_id, actions.reopen, comment=body.comment,
                    recorder=state.recorder)
        return f"done=reopened&show={commitment_id}#c-{commitment_id}"
    return _panel_form(slug, request, csrf, access_code, act)


@router.post("/panels/{slug}/pulse", response_class=HTMLResponse)
def pulse_form(slug: str, request: Request, trust: str = Form(""), kept: str = Form(""),
               access_code: str = Form(""), csrf: str = Form("")) -> Response:
    state = request.app.state
    counted: list[str] = []  # the month the answer was counted in, for this browser's cookie

    def act(code: str | None) -> str:
        if not trust or not kept:
            raise INVALID_REQUEST(N_("Choose an answer to both questions, then send them."))
        body = form_model(PulseIn, trust=trust, kept=kept, access_code=_code(code))
        refuse_if_answered_here(request, slug)
        if code is not None:
            state.access.check_panel(slug, body.access_code, client_of(request))
        counted.append(pulse_uc.record(state.storage, state.clock, slug, body.trust, body.kept).period)
        return "done=pulse#pulse"
    response = _panel_form(slug, request, csrf, access_code, act)
    return remember_answered_here(request, response, slug, counted[0]) if counted else response


@router.post("/panels/{slug}/recommendations/{recommendation_id}/reply", response_class=HTMLResponse)
def panel_reply(slug: str, recommendation_id: str, request: Request, reply: str = Form(""),
                comment: str = Form(""), title: str = Form(""), access_code: str = Form(""),
                csrf: str = Form("")) -> Response:
    """The reply form of a decision on the panel's page: the API's rules, in plain words."""
    state = request.app.state

    def act(code: str | None) -> str:
        if reply not in ("accept", "insist", "counter"):
            raise Problem(422, "Choose an answer", N_("Choose your answer, then send it."))
        body = form_model(ReplyIn, reply=reply, comment=comment, access_code=_code(code),
                          title=title.strip() or None)
        if replies_uc.panel_of(state.storage, recommendation_id) != slug:
            raise NOT_FOUND(N_("This idea is not on this panel's page."))
        if code is not None:
            state.access.check_recommendation(recommendation_id, body.access_code, client_of(request))
        replies_uc.reply(state.storage, state.clock, state.tracker.policies, state.recorder, recommendation_id,
                         reply=body.reply, comment=body.comment, title=body.title, detail=body.detail)
        return f"done={body.reply}#r-{recommendation_id}"
    return _panel_form(slug, request, csrf, access_code, act)


def _answer_by(r, today: dt.date) -> dict:
    """When police must answer; yes in principle (contract §5) by its decide_by, with its reason."""
    day = (r.decide_by or r.respond_by) if r.decision == "in_principle" else r.respond_by
    late = views.days((today - day).days) if day < today else None
    principle = r.principle_reason if r.decision == "in_principle" else None
    return {"respond_by": views.when(day), "late": late, "in_principle": r.decision == "in_principle",
            "principle": principle}

