"""HTML forms go through the API's request models, so a form can send nothing the API would
refuse (a NUL byte, a percent of 999 or "²", contact details); errors come back in plain words."""

from __future__ import annotations

from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from services.common.clienthash import client_hash
from services.common.problems import INVALID_REQUEST
from services.common.settings import secret

M = TypeVar("M", bound=BaseModel)

LABELS = {
    "note": "What has happened", "percent": "How far along it is", "summary": "What was done",
    "evidence_url": "The evidence link", "evidence_note": "The evidence", "new_due": "The new deadline",
    "reason": "The reason", "comment": "Your comment", "access_code": "The access code", "verdict": "Your answer",
    "trust": "How much you trust the police", "kept": "If police kept their promises",
    "track": "How it is going", "delay_reason": "Why it is late",
}


def form_model(model: type[M], **fields) -> M:
    """Validate form fields with `model`; a Problem naming the first bad field in words."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else ""
        message = err["msg"].removeprefix("Value error, ")
        raise INVALID_REQUEST(f"{LABELS.get(name, name)}: {message}.",
                              errors=[{"field": name, "message": message}]) from None


def client_of(request: Request) -> str:
    """Who is asking, as a keyed hash of their address: enough to count attempts, not to find anyone."""
    return client_hash(secret(request.app.state.settings.followthrough_secret_key), request)
