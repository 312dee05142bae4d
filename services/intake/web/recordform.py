"""The record page's form, read into the API's own request models: one `RecommendationIn` per
filled-in recommendation, or plain-words errors keyed by recommendation and field, to show
beside each field. The rules are the API's (the models and `RecommendationIn.problems`), the
contact-details guard and the decline reason's reading grade included."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pydantic import ValidationError

from services.common import dates
from services.common.i18n import N_, _, short_date
from services.common.problems import describe
from services.intake.domain.submissions import RecommendationIn

MAX_FORMS = 30
TEXT_FIELDS = ("title", "title_en", "title_cy", "detail", "decision", "decline_reason", "decline_code", "who_can",
               "respond_within_days", "reason", "decide_by",
               "commitment.action",
               "commitment.done_means", "commitment.owner.role", "commitment.owner.email",
               "commitment.owner.name", "commitment.owner.language", "commitment.due")
# Texts are marked here and translated where shown (`_plain`), in the page's language.
PLAIN = {
    "missing": N_("Fill this in."),
    "string_too_short": N_("Fill this in."),
    "string_too_long": N_("This is too long: make it shorter."),
    "literal_error": N_("Choose one."),
    "date_from_datetime_parsing": N_("Write a date, like 31/03/2026."),
    "date_parsing": N_("Write a date, like 31/03/2026."),
    "int_parsing": N_("Write a whole number of days, like 56."),
    "greater_than_equal": N_("Write a number of at least 1."),
    "less_than_equal": N_("Write a number of at most 365."),
}
RULES = {
    "decision is 'declined' but there is no reason": N_("Say why the police said no, in words the panel can read."),
    "decision is 'agreed' but there is no commitment": N_("Fill in what the police will do."),
    "is before raised_on": N_("This date is before the session. Use a date on or after it."),
    "decline_code is 'no_power' but who_can is missing":
        N_("Police say they cannot do this: write who can, like: the local council."),
    "who_can is only for a decline with decline_code 'no_power'":
        N_("Leave this empty, or choose: police do not have the power."),
    "decision is 'in_principle' but there is no reason":
        N_("Say what the police like about it, and what they need before they promise."),
}
# Rules whose message carries a date: known by their start, in plain words.
DECIDE_BY_PAST = N_("This date has passed. Choose today or a later day, or leave it empty.")
DECIDE_BY_FAR = N_("This is more than a year away. Choose a day within a year.")
# The kinds of reason a decline can give (the API's decline_code), in plain words.
DECLINE_CODES = [("no_power", N_("Police do not have the power: someone else does")),
                 ("no_budget", N_("There is no money for it")),
                 ("legal_or_safety", N_("The law or safety does not allow it")),
                 ("not_workable", N_("It would not work in practice")), ("other", N_("Another reason"))]
# A person's language on the form: "Not known" (nothing sent) unless the facilitator knows it.
LANGUAGES = [("", N_("Not known")), ("en", N_("English")), ("cy", N_("Welsh"))]
# Form fields whose API field has another name.
FORM_FIELD = {"titles.en": "title_en", "titles.cy": "title_cy", "commitment": "decision"}


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
        return None, _("Write the date of the session, like 31/03/2026.")
    if day > today:
        return None, _("The session cannot be in the future. Write the day it took place.")
    if dates.out_of_range(day, today):
        first, last = dates.bounds(today)
        return None, _("The date of the session must be within %(years)s years of today: use a date between "
                       "%(first)s and %(last)s.") % {"years": dates.YEARS, "first": short_date(first),
                                                     "last": short_date(last)}
    return day, None


def _document(entry: Entry, slug: str, raised_on: dt.date) -> dict:
    v = entry.values
    doc: dict = {"panel": slug, "raised_on": raised_on.isoformat(), "title": v["title"], "detail": v["detail"],
                 "themes": entry.themes, "decision": v["decision"] or None,
                 "titles": {"en": v["title_en"], "cy": v["title_cy"]}}
    if v["decision"] == "agreed":
        owner = {"role": v["commitment.owner.role"], "email": v["commitment.owner.email"]}
        if v["commitment.owner.name"]:
            owner["name"] = v["commitment.owner.name"]
        if v["commitment.owner.language"]:
            owner["language"] = v["commitment.owner.language"]
        doc["commitment"] = {"action": v["commitment.action"], "done_means": v["commitment.done_means"],
                             "owner": owner, "due": v["commitment.due"] or None}
    elif v["decision"] == "declined":
        doc["decline_reason"] = v["decline_reason"] or None
        doc["decline_code"] = v["decline_code"] or None
        doc["who_can"] = v["who_can"] or None
    elif v["decision"] == "in_principle":
        doc["reason"] = v["reason"] or None
        doc["decide_by"] = v["decide_by"] or None
    elif v["decision"] == "pending" and v["respond_within_days"]:
        doc["respond_within_days"] = v["respond_within_days"]
    return doc


def _plain(error: dict, kind: str) -> str:
    if kind == "value_error" and error["field"].endswith("language"):
        return _("Choose English, Welsh or Not known.")
    if kind == dates.ERROR_TYPE:
        return _("Use a date within %(years)s years of today.") % {"years": dates.YEARS}
    known = PLAIN.get(kind) or RULES.get(error["message"])
    return _(known) if known else _sentence(error["message"])


def _sentence(message: str) -> str:
    message = message.strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith((".", "\"")) else ".")


def validate(entries: list[Entry], slug: str, raised_on: dt.date, themes: tuple[str, ...],
             today: dt.date | None = None) -> list[RecommendationIn] | None:
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
        problems = req.problems(themes, today)
        for p in problems:
            known = RULES.get(p["message"]) or _decide_by_rule(p)
            entry.errors.setdefault(_form_field(p["field"]), _(known) if known else _sentence(
                f"{p['message']}. {p['fix']}"))
        if problems:
            ok = False
        requests.append(req)
    return requests if ok else None


def _decide_by_rule(problem: dict) -> str | None:
    if problem["field"] != "decide_by":
        return None
    return DECIDE_BY_PAST if problem["message"].endswith("in the past") else DECIDE_BY_FAR


def _form_field(api_field: str) -> str:
    if api_field.startswith("themes"):
        return "themes"
    return FORM_FIELD.get(api_field, api_field)
