"""A notice's subject and reason in the language being spoken (`i18n.speaking`).

English is the tracker's own words, as the event carries them. Any other language is written here
from the notice's kind, level and facts, one sentence per kind (the tracker's ladder and change
notices say what the English says), with the words people wrote taken from the English reason
(`reason_parts.py`) and shown as written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from schemas import Notice
from services.common.i18n import N_, language, ngettext, short_date
from services.common.i18n import gettext as _
from services.notifier.domain import reason_parts

SUBJECTS: dict[str, str] = {
    "reminder": N_("Reminder: due soon"),
    "silent": N_("Update needed"),
    "dispute": N_("Disputed by the youth panel"),
    "review": N_("Six-month review due"),
    "back_on_track": N_("Back on track"),
    "response_due": N_("Response overdue"),
    "handover": N_("New owner"),
    "changed": N_("Changed after escalation"),
    "extension_request": N_("Your approval is needed for a new deadline"),
    "early_warning": N_("Early warning: this will be late"),
    "reopened": N_("Reopened by the youth panel"),
    "insisted": N_("The youth panel insists"),
    "extension_refused": N_("New deadline refused: the first one stands"),
    "owner_unreachable": N_("This commitment needs a new owner"),
}

# The tracker's own fixed words inside the facts (who else is told and why, a recommendation still
# waiting for an answer): translated. Anything else in the facts was written by people: as written.
FIXED: frozenset[str] = frozenset({
    N_("Supervisor"), N_("Senior lead"), N_("Oversight board"), N_("police lead"),
    N_("owns this commitment"), N_("supervises the owner"), N_("is the senior lead for this area"),
    N_("oversees these commitments for the public"),
    N_("Agree or decline this recommendation"), N_("The police publish their decision"),
})


def fixed(text: str) -> str:
    return _(text) if text in FIXED else text


def days(n: int) -> str:
    return ngettext("%(num)d day", "%(num)d days", n) % {"num": n}


def subject(notice: Notice) -> str:
    if language() == "en":
        return notice.subject
    n = notice.facts.days_overdue
    if notice.kind == "overdue":
        prefix = ngettext("Overdue by %(num)d day", "Overdue by %(num)d days", n) % {"num": n}
    elif notice.kind == "escalation":
        prefix = ngettext("Escalation level %(level)s: overdue by %(num)d day",
                          "Escalation level %(level)s: overdue by %(num)d days", n) % {"num": n, "level": notice.level}
    else:
        prefix = _(SUBJECTS[notice.kind])
    late = " " + _("(sent late)") if notice.facts.late else ""
    title = notice.facts.recommendation_title
    title = title if len(title) <= 60 else title[:57] + "…"  # as the tracker shortens it
    return f"{prefix}{late}: {title}"


def reason(notice: Notice, today: dt.date) -> str:
    if language() == "en":
        return notice.reason
    said = reason_parts.parts(notice.kind, notice.reason)
    return _REASONS[notice.kind](notice, said, today).strip()


def _day(day: dt.date | None) -> str:
    return short_date(day) if day else "?"


def _reminder(n: Notice, p: dict, today: dt.date) -> str:
    before = reason_parts.key_days_before(n.key)
    left = before if before is not None else ((n.facts.due - today).days if n.facts.due else 0)
    return _("This commitment is due on %(due)s, in %(days)s.") % {"due": _day(n.facts.due), "days": days(left)}


def _silent(n: Notice, p: dict, today: dt.date) -> str:
    since = reason_parts.as_date(p.get("since"))
    if since is None:
        return _("There has been no progress update for a while.")
    return _("No progress update since %(since)s (%(days)s).") % {"since": _day(since),
                                                                   "days": days(int(p["days"]))}


def _overdue(n: Notice, p: dict, today: dt.date) -> str:
    return _("It was due on %(due)s and is not done: %(days)s overdue.") % {
        "due": _day(n.facts.due), "days": days(n.facts.days_overdue)}


def _escalation(n: Notice, p: dict, today: dt.date) -> str:
    text = _("It was due on %(due)s and is still not done: %(days)s overdue.") % {
        "due": _day(n.facts.due), "days": days(n.facts.days_overdue)}
    return text + " " + _("It has now lapsed.") if n.level == 3 else text


def _review(n: Notice, p: dict, today: dt.date) -> str:
    if n.facts.agreed_on is None:
        return _("Six months since it was agreed, and it is still open.")
    return _("Six months since it was agreed on %(day)s, and it is still open.") % {"day": _day(n.facts.agreed_on)}


def _response_due(n: Notice, p: dict, today: dt.date) -> str:
    return _("The police were due to agree or decline this recommendation by %(day)s; that was %(days)s ago.") % {
        "day": _day(n.facts.due), "days": days(n.facts.days_overdue)}


def _given(p: dict) -> str:
    return " " + _("Reason given: %(said)s") % {"said": p["said"]} if p.get("said") else ""


def _handover(n: Notice, p: dict, today: dt.date) -> str:
    return _("This commitment has a new owner.") + _given(p)


def _changed(n: Notice, p: dict, today: dt.date) -> str:
    if n.key.endswith(":withdrawn"):
        text = _("This commitment was withdrawn after you were told it was late.")
    elif reason_parts.as_date(p.get("before")):
        text = _("The deadline moved from %(before)s to %(after)s after you were told it was late.") % {
            "before": _day(reason_parts.as_date(p.get("before"))), "after": _day(n.facts.due)}
    else:
        text = _("The deadline moved to %(after)s after you were told it was late.") % {"after": _day(n.facts.due)}
    return text + _given(p)


def _extension_request(n: Notice, p: dict, today: dt.date) -> str:
    asked = reason_parts.key_date(n.key) or reason_parts.as_date(p.get("asked"))
    return _("The owner asks to move the deadline from %(due)s to %(asked)s, further than they may move it alone "
             "(first due %(first)s). Until you approve it, the first deadline stands.") % {
        "due": _day(n.facts.due), "asked": _day(asked), "first": _day(n.facts.original_due)} + _given(p)


def _extension_refused(n: Notice, p: dict, today: dt.date) -> str:
    asked = reason_parts.key_date(n.key) or reason_parts.as_date(p.get("asked"))
    return _("Your supervisor did not agree to move the deadline to %(asked)s. The deadline stays %(due)s, and "
             "the reminders and escalations go on as before.") % {"asked": _day(asked), "due": _day(n.facts.due)}


def _early_warning(n: Notice, p: dict, today: dt.date) -> str:
    who = p.get("who") or n.facts.owner_role
    if p.get("said"):
        told = _("%(who)s told the panel early that this will be late, and why: %(said)s") % {"who": who,
                                                                                               "said": p["said"]}
    else:
        told = _("%(who)s told the panel early that this will be late.") % {"who": who}
    early = int(p["days"]) if p.get("days") else ((n.facts.due - today).days if n.facts.due else 0)
    return told + " " + _("It is due on %(due)s, and they said so %(days)s before, not after. Saying it early is "
                          "what we ask of every owner: talk with them about what they need to get it done.") % {
        "due": _day(n.facts.due), "days": days(early)}


def _reopened(n: Notice, p: dict, today: dt.date) -> str:
    kept = reason_parts.as_date(p.get("kept"))
    text = (_("The youth panel says this promise, kept on %(kept)s, is no longer working, so it is open again.")
            % {"kept": _day(kept)} if kept else
            _("The youth panel says this promise is no longer working, so it is open again."))
    said = " " + _("They said: %(said)s") % {"said": p["said"]} if p.get("said") else ""
    return text + said + " " + _("It is now due on %(due)s; the reminders and escalations start again from the "
                                 "first step.") % {"due": _day(n.facts.due)}


def _insisted(n: Notice, p: dict, today: dt.date) -> str:
    if p.get("by") or n.commitment_id is None:  # a declined recommendation: a new round of the police's answer
        text = _("The youth panel insists on this recommendation, which the police declined. The police must agree "
                 "or decline it again by %(day)s.") % {"day": _day(reason_parts.as_date(p.get("by")) or n.facts.due)}
    else:
        text = _("The youth panel insists on this commitment, which was withdrawn.")
    return text + (" " + _("The panel said: %(said)s") % {"said": p["said"]} if p.get("said") else "")


def _owner_unreachable(n: Notice, p: dict, today: dt.date) -> str:
    return _("Emails to this commitment's owner, %(email)s, cannot be delivered, so no one is getting its reminders. "
             "Please name a new owner: hand it over from your commitments page (/me, linked below), or with "
             "POST /api/v1/commitments/%(id)s/owner (role, email, reason). Until then the youth panel's page says "
             "the owner can't be reached.") % {"email": p.get("email", "?"), "id": n.commitment_id}


_REASONS: dict[str, Callable[[Notice, dict, dt.date], str]] = {
    "reminder": _reminder, "silent": _silent, "overdue": _overdue, "escalation": _escalation,
    "dispute": lambda n, p, t: _("The youth panel disputed that this commitment was done."),
    "review": _review,
    "back_on_track": lambda n, p, t: _("This commitment is done after it was escalated: thank you."),
    "response_due": _response_due, "handover": _handover, "changed": _changed,
    "extension_request": _extension_request, "extension_refused": _extension_refused,
    "early_warning": _early_warning, "reopened": _reopened, "insisted": _insisted,
    "owner_unreachable": _owner_unreachable,
}
