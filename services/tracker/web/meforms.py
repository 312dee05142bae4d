"""The forms on a commitment's page under `/me`, read through the API's own request models (the same
rules and limits as the respond page and the API), and what the page says once one has worked."""

from __future__ import annotations

from typing import Any

from services.common.problems import INVALID_REQUEST
from services.tracker.web.bodies import ExtensionIn, OwnerIn, UpdateIn
from services.tracker.web.forms import form_model

TRACKS = [("on_track", "On track"), ("minor_delay", "A little late"), ("significant_delay", "It will be very late"),
          ("not_started", "Not started yet")]
MESSAGES = {"update": "Your update is posted. The panel can see it now.",
            "done": "Marked done. The panel will be asked to check it.",
            "extend": "The new deadline is set. The panel can see it and your reason.",
            "requested": "That is further than you may move it alone, so your boss is asked to approve it. "
                         "Until then the first deadline stands.",
            "approve": "The new deadline is approved. The owner, the panel and everyone already told hear of it.",
            "refuse": "You said no to the later deadline. The first deadline stands, and the panel can see it.",
            "hand_over": "It is handed over. The new owner, the old one and everyone already told hear of it."}


def done_message(ok: str | None) -> str | None:
    return MESSAGES.get(ok or "")


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
    raise INVALID_REQUEST("Use one of the forms on this page.")
