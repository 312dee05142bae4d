"""The facilitator's record page (contract §5): a session's recommendations and the police's
decisions, one form per recommendation, no JavaScript. "Add another" is a submit button that
shows the page again with one more empty form. Everything is recorded through
`record.record_session`, in one transaction and once per form (the form's hidden
Idempotency-Key, made when the page is rendered)."""

from __future__ import annotations

import json
import uuid

import structlog
from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from services.common import i18n
from services.common.csrf import CsrfError
from services.common.i18n import N_, _, ngettext
from services.common.problems import Problem
from services.common.tokens import Principal
from services.intake.usecases import record
from services.intake.usecases.errors import UseCaseError
from services.intake.web import recordform
from services.intake.web.errors import as_problem
from services.intake.web.signin import signed_in
from services.intake.web.views import page, refusal

router = APIRouter(include_in_schema=False)
log = structlog.get_logger()
NO_STORE = {"Cache-Control": "no-store"}
DECISIONS = (("agreed", N_("Police agreed to do it")), ("declined", N_("Police said no")),
             ("in_principle", N_("Yes in principle: police like it but do not promise yet")),
             ("pending", N_("Police will answer later")))


def _gate(request: Request, slug: str) -> tuple[Principal | None, object, Response | None]:
    """(person, panel, None) when they may record for this panel; else a response to send."""
    person = signed_in(request)
    if person is None:
        return None, None, RedirectResponse("/signin", status_code=303)
    if not person.may_write_panel(slug):
        return person, None, refusal(request, 403, _("Not your panel"),
                                     _("You can record sessions only for your own panel. Go to your panel's "
                                       "page: %(address)s") % {"address": f"/panels/{person.panel}/record"},
                                     headers=NO_STORE)
    panel = record.panel(request.app.state.storage, slug)
    if panel is None:
        return person, None, refusal(request, 404, _("No such panel"),
                                     _("We cannot find this panel. Check the address."), headers=NO_STORE)
    # The page opens in the panel's language unless the facilitator chose one.
    i18n.use_panel_language(panel.language)
    return person, panel, None


def _render(request: Request, person: Principal, panel, entries, *, key: str, date: str = "",
            date_error: str | None = None, error: str | None = None, message: str | None = None,
            status_code: int = 200) -> Response:
    state = request.app.state
    return page(request, "record.html", status_code, NO_STORE, person=person, panel=panel, entries=entries,
                key=key, date=date, date_error=date_error, error=error, message=message,
                themes=state.themes, decisions=DECISIONS, decline_codes=recordform.DECLINE_CODES,
                languages=recordform.LANGUAGES,
                status_url=f"{state.settings.public_url}/panels/{panel.slug}",
                today=state.clock.today().isoformat())


@router.get("/record", response_class=HTMLResponse)
def choose_panel(request: Request) -> Response:
    person = signed_in(request)
    if person is None:
        return RedirectResponse("/signin", status_code=303)
    if person.panel:
        return RedirectResponse(f"/panels/{person.panel}/record", status_code=303)
    rows = record.panels(request.app.state.storage)
    return page(request, "panels.html", headers=NO_STORE, person=person, panels=rows)


@router.get("/panels/{slug}/record", response_class=HTMLResponse)
def record_form(slug: str, request: Request, recorded: int | None = None) -> Response:
    person, panel, refused = _gate(request, slug)
    if refused:
        return refused
    message = None
    if recorded:
        message = ngettext("Recorded %(num)d recommendation. The panel's page shows it within a few seconds.",
                           "Recorded %(num)d recommendations. The panel's page shows them within a few seconds.",
                           recorded) % {"num": recorded}
    return _render(request, person, panel, [recordform.blank()], key=str(uuid.uuid4()), message=message)


@router.post("/panels/{slug}/record", response_class=HTMLResponse)
async def record_post(slug: str, request: Request) -> Response:
    form = await request.form()
    person, panel, refused = await run_in_threadpool(_gate, request, slug)
    if refused:
        return refused
    state = request.app.state
    entries = recordform.read_entries(form)
    key = str(form.get("key", "")) or str(uuid.uuid4())
    date = str(form.get("date", ""))
    try:
        state.csrf.check(request, str(form.get("csrf", "")))
    except CsrfError as exc:
        return _render(request, person, panel, entries, key=key, date=date, error=str(exc), status_code=403)
    if form.get("action") == "add":
        if len(entries) < recordform.MAX_FORMS:
            entries.append(recordform.blank())
        return _render(request, person, panel, entries, key=key, date=date)
    day, date_error = recordform.session_date(date, state.clock.today())
    requests = recordform.validate(entries, slug, day, state.themes, state.clock.today()) if day else None
    if day and requests == []:
        return _render(request, person, panel, entries, key=key, date=date, status_code=422,
                       error=_("Write at least one recommendation, then press Record all."))
    if requests is None:
        return _render(request, person, panel, entries, key=key, date=date, date_error=date_error, status_code=422,
                       error=_("Some answers need fixing. Look for the notes beside them."))

    fingerprint = "form:" + json.dumps([r.model_dump(mode="json") for r in requests], sort_keys=True)
    try:
        ids = await run_in_threadpool(lambda: record.record_session(
            state.storage, requests, fingerprint, state.clock.now(), who=person, key=key, policies=state.policies))
    except (Problem, UseCaseError) as refused:
        exc = as_problem(refused)
        if exc.status == 409:
            return _render(request, person, panel, entries, key=str(uuid.uuid4()), date=date, status_code=409,
                           error=_("This form was already sent with other answers. Check the panel's page, "
                                   "then press Record all again to record these as well."))
        return _render(request, person, panel, entries, key=key, date=date, status_code=exc.status,
                       error=exc.detail)
    state.relay.wake()
    log.info("recommendations.recorded_by_form", panel=slug, count=len(ids), token_id=person.token_id)
    return RedirectResponse(f"/panels/{slug}/record?recorded={len(ids)}", status_code=303)
