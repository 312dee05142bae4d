"""HTML forms go through the API's request models, so a form can send nothing the API would
refuse (a NUL byte, a percent of 999 or "²", contact details); errors come back in plain words."""

from __future__ import annotations

from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from services.common.clienthash import client_hash
from services.common.i18n import N_, gettext
from services.common.problems import INVALID_REQUEST
from services.common.settings import secret

M = TypeVar("M", bound=BaseModel)

LABELS = {
    "note": N_("What has happened"), "percent": N_("How far along it is"), "summary": N_("What was done"),
    "evidence_url": N_("The evidence link"), "evidence_note": N_("The evidence"), "new_due": N_("The new deadline"),
    "reason": N_("The reason"), "comment": N_("Your comment"), "access_code": N_("The access code"),
    "verdict": N_("Your answer"), "trust": N_("How much you trust the police"),
    "kept": N_("If police kept their promises"), "track": N_("How it is going"), "delay_reason": N_("Why it is late"),
    "role": N_("The new owner's job"), "email": N_("Their work email"), "name": N_("Their name"),
}


def form_model(model: type[M], **fields) -> M:
    """Validate form fields with `model`; a Problem naming the first bad field in words, in the visitor's
    language (forms are only HTML; the API's own errors stay English)."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else ""
        message = err["msg"].removeprefix("Value error, ")
        shown = gettext("%(field)s: %(problem)s.") % {"field": gettext(LABELS.get(name, name)),
                                                       "problem": gettext(message)}
        raise INVALID_REQUEST(shown,
                              errors=[{"field": name, "message": message}]) from None


def client_of(request: Request) -> str:
    """Who is asking, as a keyed hash of their address: enough to count attempts, not to find anyone."""
    return client_hash(secret(request.app.state.settings.followthrough_secret_key), request)
