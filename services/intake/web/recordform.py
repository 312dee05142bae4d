"""The record page's form, read into the API's own request models: one `RecommendationIn` per
filled-in recommendation, or plain-words errors keyed by recommendation and field, to show
beside each field. The rules are the API's (the models and `RecommendationIn.problems`), the
contact-details guard and the decline reason's reading grade included."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pydantic import ValidationError

from services.common import dates
from services.common.problems import describe
from services.intake.domain.submissions import RecommendationIn

MAX_FORMS = 30
TEXT_FIELDS = ("title", "detail", "decision", "decline_reason", "decline_code", "who_can", "respond_within_days",
               "commitment.action",
               "commitment.done_means", "commitment.owner.role", "commitment.owner.email",
               "commitment.owner.name", "commitment.due")
PLAIN = {
    "missing": "Fill this in.",
    "string_too_short": "Fill this in.",
    "string_too_long": "This is too long: make it shorter.",
    "literal_error": "Choose one.",
    "date_from_datetime_parsing": "Write a date, like 31/03/2026.",
    "date_parsing": "Write a date, like 31/03/2026.",
    "int_parsing": "Write a whole number of days, like 56.",
    "greater_than_equal": "Write a number of at least 1.",
    "less_than_equal": "Write a number of at most 365.",
}
RULES = {
    "decision is 'declined' but there is no reason": "Say why the police said no, in words the panel can read.",
    "is before raised_on": "This date is before the session. Use a date on or after it.",
    "decline_code is 'no_power' but who_can is missing":
        "Police say they cannot do this: write who can, like: the local council.",
    "who_can is only for a decline with decline_code 'no_power'":
        "Leave this empty, or choose: police do not have the power.",
}
# The kinds of reason a decline can give (the API's decline_code), in plain words.
DECLINE_CODES = [("no_power", "Police do not have the power: someone else does"),
                 ("no_budget", "There is no money for it"), ("legal_or_safety", "The law or safety does not allow it"),
                 ("not_workable", "It would not work in practice"), ("other", "Another reason")]


@dataclass
class Entry:
    """One recommendation's form as typed, and its errors by field."""
    values: dict[str, str] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(self.values.values()) and not self.themes


def blank() -> Entry:
    return Entry(values={f: "" for f in TEXT_FIELDS})


def read_entries(form) -> list[Entry]:
    """The recommendations' forms as typed (`form` is Starlette's FormData)."""
    try:
        count = min(max(int(form.get("count", "1")), 1), MAX_FORMS)
    except ValueError:
        count = 1
    return [Entry(values={f: str(form.get(f"r{i}.{f}", "")).strip() for f in TEXT_FIELDS},
                  themes=[str(t) for t in form.getlist(f"r{i}.themes")]) for i in range(count)]


def session_date(text: str, today: dt.date) -> tuple[dt.date | None, str | None]:
    """The date of the session, or a plain error."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return None, "Write the date of the session, like 31/03/2026."
    if day > today:
        return None, "The session cannot be in the future. Write the day it took place."
    if why := dates.out_of_range(day, today):
        return None, f"The date of the session {why}."
    return day, None


def _document(entry: Entry, slug: str, raised_on: dt.date) -> dict:
    v = entry.values
    doc: dict = {"panel": slug, "raised_on": raised_on.isoformat(), "title": v["title"], "detail": v["detail"],
                 "themes": entry.themes, "decision": v["decision"] or None}
    if v["decision"] == "agreed":
        owner = {"role": v["commitment.owner.role"], "email": v["commitment.owner.email"]}
        if v["commitment.owner.name"]:
            owner["name"] = v["commitment.owner.name"]
        doc["commitment"] = {"action": v["commitment.action"], "done_means": v["commitment.done_means"],
                             "owner": owner, "due": v["commitment.due"] or None}
    elif v["decision"] == "declined":
        doc["decline_reason"] = v["decline_reason"] or None
        doc["decline_code"] = v["decline_code"] or None
        doc["who_can"] = v["who_can"] or None
    elif v["decision"] == "pending" and v["respond_within_days"]:
        doc["respond_within_days"] = v["respond_within_days"]
    return doc


def _plain(error: dict, kind: str) -> str:
    return PLAIN.get(kind) or RULES.get(error["message"]) or _sentence(error["message"])


def _sentence(message: str) -> str:
    message = message.strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith((".", "\"")) else ".")


def validate(entries: list[Entry], slug: str, raised_on: dt.date,
             themes: tuple[str, ...]) -> list[RecommendationIn] | None:
    """The requests to record, or None with each entry's `errors` filled in. Empty forms are
    skipped (an "add another" left blank)."""
    requests, ok = [], True
    for entry in entries:
        if entry.empty:
            continue
        try:
            req = RecommendationIn.model_validate(_document(entry, slug, raised_on))
        except ValidationError as exc:
            for raw, described in zip(exc.errors(), describe(exc.errors()), strict=True):
                name = _form_field(described["field"])
                entry.errors.setdefault(name, _plain(described, raw["type"]))
            ok = False
            continue
        problems = req.problems(themes)
        for p in problems:
            entry.errors.setdefault(_form_field(p["field"]), RULES.get(p["message"]) or _sentence(
                f"{p['message']}. {p['fix']}"))
        if problems:
            ok = False
        requests.append(req)
    return requests if ok else None


def _form_field(api_field: str) -> str:
    if api_field.startswith("themes"):
        return "themes"
    if api_field == "commitment":
        return "decision"
    return api_field
