"""The forms on a commitment's page under `/me`, read through the API's own request models (the same
rules and limits as the respond page and the API), and what the page says once one has worked."""

from __future__ import annotations

from typing import Any

from services.common.i18n import N_, gettext
from services.common.problems import INVALID_REQUEST
from services.tracker.web.bodies import ExtensionIn, OwnerIn, UpdateIn
from services.tracker.web.forms import form_model

# Marked here, translated where the page shows them (the template's `_()`, `done_message`).
TRACKS = [("on_track", N_("On track")), ("minor_delay", N_("A little late")),
          ("significant_delay", N_("It will be very late")), ("not_started", N_("Not started yet"))]
MESSAGES = {"update": N_("Your update is posted. The panel can see it now."),
            "done": N_("Marked done. The panel will be asked to check it."),
            "extend": N_("The new deadline is set. The panel can see it and your reason."),
            "requested": N_("That is further than you may move it alone, so your boss is asked to approve it. "
                            "Until then the first deadline stands."),
            "approve": N_("The new deadline is approved. The owner, the panel and everyone already told hear of it."),
            "refuse": N_("You said no to the later deadline. The first deadline stands, and the panel can see it."),
            "hand_over": N_("It is handed over. The new owner, the old one and everyone already told hear of it.")}


def done_message(ok: str | None) -> str | None:
    words = MESSAGES.get(ok or "")
    return gettext(words) if words else None


def command_fields(action: str, form: dict[str, str]) -> dict[str, Any]:
    """The command's keyword arguments for `action`, validated as the API validates them."""
    if action == "update":
        body = form_model(UpdateIn, note=form["note"], percent=form["percent"] or None, track=form["track"] or None,
                          delay_reason=form["delay_reason"] or None)
        return body.model_dump()
    if action == "done":
        return form_model(UpdateIn, note=form["summary"], summary=form["summary"], done=True, percent=100,
                          evidence_url=form["evidence_url"] or None,
                          evidence_note=form["evidence_note"] or None).model_dump()
    if action == "extend":
        return form_model(ExtensionIn, new_due=form["new_due"], reason=form["reason"]).model_dump()
    if action == "hand_over":
        return form_model(OwnerIn, role=form["role"], email=form["email"], name=form["name"] or None,
                          reason=form["reason"]).model_dump(mode="json")
    if action in ("approve", "refuse"):
        return {}
    raise INVALID_REQUEST(gettext("Use one of the forms on this page."))
