"""HTML forms go through the API's request models, so a form can send nothing the API would
refuse (a NUL byte, a percent of 999 or "²", contact details); errors come back in plain words."""

from __future__ import annotations

from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from services.common.clienthash import client_hash
from services.common.i18n import N_, gettext, ngettext
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

# Pydantic's own words for the usual mistakes, as catalogue messages: the English is pydantic's, word for
# word (`_problem` checks), so only the Welsh differs.
PROBLEMS = {
    "missing": N_("Field required"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "greater_than_equal": N_("Input should be greater than or equal to %(ge)s"),
    "less_than_equal": N_("Input should be less than or equal to %(le)s"),
    "date_from_datetime_parsing": N_("Input should be a valid date or datetime, %(error)s"),
}
LENGTHS = {"string_too_short": "min_length", "string_too_long": "max_length"}


def _problem(err: dict, message: str) -> str:
    """The problem in the visitor's language; text we have no words for is shown as it came."""
    ctx = err.get("ctx") or {}
    if err["type"] in LENGTHS:
        n = int(ctx.get(LENGTHS[err["type"]], 0))
        english = ("String should have at least %(num)d character" if err["type"] == "string_too_short"
                   else "String should have at most %(num)d character") + ("" if n == 1 else "s")
        if english % {"num": n} != message:
            return gettext(message)
        if err["type"] == "string_too_short":
            return ngettext("String should have at least %(num)d character",
                            "String should have at least %(num)d characters", n) % {"num": n}
        return ngettext("String should have at most %(num)d character",
                        "String should have at most %(num)d characters", n) % {"num": n}
    template = PROBLEMS.get(err["type"])
    try:
        if template is None or template % ctx != message:
            return gettext(message)
        return gettext(template) % ctx
    except (KeyError, TypeError, ValueError):
        return gettext(message)


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
                                                       "problem": _problem(err, message)}
        raise INVALID_REQUEST(shown,
                              errors=[{"field": name, "message": message}]) from None


def client_of(request: Request) -> str:
    """Who is asking, as a keyed hash of their address: enough to count attempts, not to find anyone."""
    return client_hash(secret(request.app.state.settings.followthrough_secret_key), request)
