"""Every string a request can carry goes through the contact-details guard, by its type.

The test walks every request model of intake and the tracker (the API bodies, which the record
form, the CSV import and the tracker's forms validate with too), down through nested models and
lists, and sends each string field disguised contact details. Each must be refused, naming that
field, with the guard's explanation; only the fields in NEVER_PUBLIC are spared, each with the
reason it never reaches a public page, the register or an event's public text. A new string
field without the guard fails here until it is guarded or listed there with its reason."""

from __future__ import annotations

import ast
import types
from pathlib import Path
from typing import Annotated, Any, Iterator, Literal, Union, get_args, get_origin

import pytest
from pydantic import BaseModel, EmailStr, ValidationError

from schemas.models import Contact, Escalation
from services.intake.domain import submissions as intake_requests
from services.tracker.web import bodies as tracker_requests
from services.webhooks.web import bodies as webhook_requests

SERVICES = Path(__file__).resolve().parents[3] / "services"
REQUEST_MODULES = (intake_requests, tracker_requests, webhook_requests)
# What the services answer, not what they take in: never validated from anyone's input.
RESPONSES = {"RecommendationCreated", "PanelCreated", "ReplyOut", "PanelCreatedAgain", "TimelineEntry",
             "ReplyEntry", "RecommendationDetail", "PulseOut"}

# Contact details, plain and then disguised, each short enough for every field and on one line.
# A URL field refuses those that are no web address, a slug field those outside its pattern; the
# guard must be the one to refuse at least one of them.
DISGUISES = ["Jay, 15, on 07911 123456 / jay@gmail.com", "07911123456",
             "https://x.example/?ask=jay@gmail.com&tel=07911123456", "https://x.example/jay%40gmail%2Ecom",
             "sam at gmail dot com", "snap: sammy_2009", "12 hoe street", "Ｅ17 4ＰＰ"]
GUARD_SAYS = "never stores young people's contact details"


def _never_public() -> dict[tuple[type, str], str]:
    return {
        (Escalation, "supervisor"): "a police work address the ladder emails; pages show roles, not addresses",
        (Escalation, "senior_lead"): "a police work address the ladder emails; pages show roles, not addresses",
        (Escalation, "board"): "a police work address the ladder emails; pages show roles, not addresses",
        (Contact, "email"): "a police lead's or owner's work address, for email only; pages show the role",
        (tracker_requests.OwnerIn, "email"): "the new owner's work address, for email only; never shown",
        (intake_requests.PanelIn, "contact_email"): "the youth worker's work address for sign-in links; never shown",
        (tracker_requests.VerdictIn, "access_code"): "a secret checked against its digest; neither kept nor shown",
        (tracker_requests.ReopenIn, "access_code"): "a secret checked against its digest; neither kept nor shown",
        (tracker_requests.PulseIn, "access_code"): "a secret checked against its digest; neither kept nor shown",
        (tracker_requests.ReplyIn, "access_code"): "a secret checked against its digest; neither kept nor shown",
        (webhook_requests.SubscriptionIn, "url"): "an admin's receiver address: called, never published or shown",
        (webhook_requests.SubscriptionIn, "types"): "checked against the public event types; nothing else passes",
        (webhook_requests.SubscriptionIn, "owner_email"): "a work address emailed once if the subscription is disabled",
    }


def request_models() -> list[type[BaseModel]]:
    return [obj for module in REQUEST_MODULES for name, obj in vars(module).items()
            if isinstance(obj, type) and issubclass(obj, BaseModel) and obj.__module__ == module.__name__
            and not name.startswith("_") and name not in RESPONSES]


def string_fields(model: type[BaseModel], path: tuple = ()) -> Iterator[tuple[type, str, tuple]]:
    """(the class declaring it, its name, its location from the top) for every string field."""
    for name, info in model.model_fields.items():
        declaring = next(c for c in model.__mro__ if name in vars(c).get("__annotations__", {}))
        for leaf, at in _leaves(info.annotation, path + (name,)):
            if leaf is str or leaf is EmailStr:
                yield declaring, name, at
            elif isinstance(leaf, type) and issubclass(leaf, BaseModel):
                yield from string_fields(leaf, at)
            elif not (leaf is type(None) or get_origin(leaf) is Literal or isinstance(leaf, type)):
                raise AssertionError(f"{at}: the walk does not know the type {leaf!r}; teach it")


def _leaves(tp: Any, path: tuple) -> Iterator[tuple[Any, tuple]]:
    """The concrete types under Optional, Union, Annotated, list and dict, with the location each sits at."""
    origin = get_origin(tp)
    if origin is Annotated:
        yield from _leaves(get_args(tp)[0], path)
    elif origin in (Union, types.UnionType):
        for arg in get_args(tp):
            yield from _leaves(arg, path)
    elif origin is list:
        yield from _leaves(get_args(tp)[0], path + (0,))
    elif origin is dict:  # keyed by a Literal (a language, a place on the ladder): each value under its key
        key, value = get_args(tp)
        for k in get_args(key) if get_origin(key) is Literal else ("key",):
            yield from _leaves(value, path + (k,))
    else:
        yield tp, path


def all_fields() -> list[tuple[type[BaseModel], type[BaseModel], str, tuple]]:
    return [(top, owner, name, loc) for top in request_models()
            for owner, name, loc in string_fields(top)]


def document(loc: tuple, value: str) -> Any:
    """A request holding only `value`, at `loc`: other fields missing is fine, their errors are ignored."""
    if not loc:
        return value
    head, *rest = loc
    inner = document(tuple(rest), value)
    return [inner] if isinstance(head, int) else {head: inner}


def _label(field) -> str:
    top, owner, name, loc = field
    return f"{top.__name__}.{'.'.join(map(str, loc))}"


FIELDS = all_fields()


def test_the_walk_finds_the_fields_the_issue_names():
    found = {_label(f) for f in FIELDS}
    assert {"RecommendationIn.commitment.owner.role", "PanelIn.police_lead.role", "UpdateIn.evidence_url",
            "OwnerIn.role", "RecommendationIn.themes.0", "DecisionIn.commitment.owner.role"} <= found
    assert len(FIELDS) > 40


@pytest.mark.parametrize("field", [f for f in FIELDS if (f[1], f[2]) not in _never_public()], ids=_label)
def test_every_public_string_field_refuses_disguised_contact_details(field):
    top, _, _, loc = field
    refused_by_guard = False
    for disguise in DISGUISES:
        try:
            top.model_validate(document(loc, disguise))
            mine = []
        except ValidationError as exc:
            mine = [e for e in exc.errors() if e["loc"] == loc]
        assert mine, (
            f"{_label(field)} accepted {disguise!r}: give it a guarded type (PublicLine, PublicText, PublicUrl)")
        refused_by_guard |= any(GUARD_SAYS in e["msg"] for e in mine)
    assert refused_by_guard, f"{_label(field)} is not refused by the contact-details guard"


def test_the_fields_spared_are_still_there():
    spared = {(owner, name) for _, owner, name, _ in FIELDS} & set(_never_public())
    assert spared == set(_never_public()), "a field in NEVER_PUBLIC is gone: take it off the list"


def test_no_request_model_lives_outside_the_request_modules():
    modules = {Path(m.__file__).resolve() for m in REQUEST_MODULES}
    elsewhere = []
    for source in SERVICES.rglob("*.py"):
        if source.resolve() in modules:
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    getattr(b, "id", getattr(b, "attr", "")) in ("BaseModel", "_In") for b in node.bases):
                elsewhere.append(node.name)
    assert set(elsewhere) <= RESPONSES, (f"{sorted(set(elsewhere) - RESPONSES)}: request models belong in "
                                         "services/intake/domain/submissions.py or services/tracker/web/bodies.py")
