"""Notices a change people make calls for, decided at once (not steps of the calendar ladder):
a handover, a change after escalation, a request for a later deadline, an early warning, a
reopened promise, the youth panel insisting. Each has a key the store keeps unique."""

from __future__ import annotations

import datetime as dt

from services.tracker.domain.ladder import UP_TO, days_text, told_level
from services.tracker.domain.model import Audience, Commitment, Contacts, Notice
from services.tracker.domain.rules import ACTIVE

# Who still needs an owner: work going on, or done and waiting for the panel's check (a dispute
# sends it back to the owner). A kept or withdrawn promise has no one left to chase.
NEEDS_OWNER: frozenset[str] = ACTIVE | {"done"}


def decide_insisted(contacts: Contacts, decision: str, version: str, comment: str, today: dt.date,
                    respond_by: dt.date | None = None) -> Notice:
    """The youth panel insists on a declined recommendation (`version`: the new round) or on a
    withdrawn commitment: the owner (or the panel's police lead) and the supervisor are told at once."""
    said = f" The panel said: {comment}" if comment else ""
    if decision == "declined":
        text = (f"The youth panel insists on this recommendation, which the police declined. The police must "
                f"agree or decline it again by {respond_by:%d %B %Y}.{said}")
    else:
        text = f"The youth panel insists on this commitment, which was withdrawn.{said}"
    audience: tuple[Audience, ...] = ("owner", "supervisor")
    return Notice(key=f"insisted:1:{version}", kind="insisted", level=1, step_on=today, late=False, reason=text,
                  audience=audience, recipients=contacts.emails(audience))


def decide_change(before: Commitment, after: Commitment, what: str, reason: str, today: dt.date) -> list[Notice]:
    """An escalated commitment was extended or withdrawn: everyone already told hears of it, so
    an escalation cannot be silenced by moving the deadline or dropping the promise."""
    told = told_level(before)
    if told < 1:
        return []
    if what == "extend":
        key = f"changed:{told}:v{after.due_version}"
        text = (f"The deadline moved from {before.due:%d %B %Y} to {after.due:%d %B %Y} after you were told "
                f"it was late. Reason given: {reason}")
    else:
        key = f"changed:{told}:withdrawn"
        text = f"This commitment was withdrawn after you were told it was late. Reason given: {reason}"
    return [Notice(key=key, kind="changed", level=told, step_on=today, late=False, reason=text,
                   audience=UP_TO[told], recipients=after.contacts.emails(UP_TO[told]),
                   days_overdue=before.days_overdue(today))]


def decide_handover(before: Commitment, after: Commitment, reason: str, today: dt.date) -> Notice:
    """The new owner is told they own it, the old owner that they no longer do, and, once it was
    escalated, everyone already told."""
    told = told_level(before)
    recipients = dict.fromkeys((after.contacts.owner, before.contacts.owner, *after.contacts.emails(UP_TO[told])))
    return Notice(key=f"handover:{told}:h{after.handovers}", kind="handover", level=told, step_on=today,
                  late=False, reason=f"This commitment has a new owner. Reason given: {reason}",
                  audience=UP_TO[told], recipients=tuple(recipients), days_overdue=before.days_overdue(today))


def decide_extension_request(c: Commitment, new_due: dt.date, reason: str, today: dt.date) -> Notice:
    """The owner asks for a deadline past what they may set alone: the supervisor decides."""
    return Notice(key=f"extension_request:1:v{c.due_version}:{new_due.isoformat()}", kind="extension_request",
                  level=1, step_on=today, late=False,
                  reason=(f"The owner asks to move the deadline from {c.due:%d %B %Y} to {new_due:%d %B %Y}, "
                          f"further than they may move it alone (first due {c.original_due:%d %B %Y}). Until you "
                          f"approve it, the first deadline stands. Reason given: {reason}"),
                  audience=("supervisor",), recipients=c.contacts.emails(("supervisor",)),
                  days_overdue=c.days_overdue(today))


def decide_extension_refused(c: Commitment, asked: dt.date, today: dt.date) -> Notice:
    """The supervisor refuses the later deadline the owner asked for: the owner hears that the first
    one stands (once per request: the key is the request's)."""
    return Notice(key=f"extension_refused:0:v{c.due_version}:{asked.isoformat()}", kind="extension_refused",
                  level=0, step_on=today, late=False,
                  reason=(f"Your supervisor did not agree to move the deadline to {asked:%d %B %Y}. The deadline "
                          f"stays {c.due:%d %B %Y}, and the reminders and escalations go on as before."),
                  audience=("owner",), recipients=c.contacts.emails(("owner",)),
                  days_overdue=c.days_overdue(today))


def decide_early_warning(after: Commitment, declared: str | None, who: str, delay_reason: str,
                         today: dt.date) -> list[Notice]:
    """An owner whose update says (`declared`), before the due date, that it will be significantly late:
    their supervisor hears it at once, credited as the early warning it is. Once per deadline version
    (the key); an update that says nothing of the track tells no one."""
    key = f"early_warning:1:v{after.due_version}"
    if declared != "significant_delay" or today >= after.due or key in after.sent_keys:
        return []
    early = days_text((after.due - today).days)
    text = (f"{who} told the panel early that this will be late, and why: {delay_reason} "
            f"It is due on {after.due:%d %B %Y}, and they said so {early} before, not after. Saying it early "
            f"is what we ask of every owner: talk with them about what they need to get it done.")
    return [Notice(key=key, kind="early_warning", level=1, step_on=today, late=False, reason=text,
                   audience=UP_TO[1], recipients=after.contacts.emails(UP_TO[1]), days_overdue=0)]


def decide_reopen(before: Commitment, after: Commitment, comment: str, today: dt.date) -> Notice:
    """The panel reopened a kept promise: the owner and their supervisor are told, as the first step
    of the ladder starting again."""
    kept = before.kept_on or before.done_on or today
    said = f" They said: {comment}" if comment else ""
    return Notice(key=f"reopened:1:r{after.reopenings}", kind="reopened", level=1, step_on=today, late=False,
                  reason=(f"The youth panel says this promise, kept on {kept:%d %B %Y}, is no longer working, so "
                          f"it is open again.{said} It is now due on {after.due:%d %B %Y}; the reminders and "
                          "escalations start again from the first step."),
                  audience=UP_TO[1], recipients=after.contacts.emails(UP_TO[1]), days_overdue=0)


def decide_owner_unreachable(c: Commitment, recipient: str, today: dt.date) -> tuple[Commitment, list[Notice]]:
    """The notifier gave up on an email to `recipient` (contract §5). When that is the current owner
    of a commitment still needing one, it is flagged and the supervisor asked at once to name a new
    owner: once per owner (the key's epoch is the handover count), so failing again asks nothing
    more, and a handover starts a new episode. Failures to anyone else change nothing."""
    if recipient.strip().lower() != c.contacts.owner.strip().lower() or c.status not in NEEDS_OWNER:
        return c, []
    flagged = c.owner_unreachable(today)
    key = f"owner_unreachable:1:h{c.handovers}"
    if key in c.sent_keys:
        return flagged, []
    text = (f"Emails to this commitment's owner, {recipient}, cannot be delivered, so no one is getting its "
            f"reminders. Please name a new owner: hand it over from your commitments page (/me, linked below), or "
            f"with POST /api/v1/commitments/{c.id}/owner (role, email, reason). Until then the youth panel's "
            "page says the owner can't be reached.")
    audience: tuple[Audience, ...] = ("supervisor",)
    return flagged, [Notice(key=key, kind="owner_unreachable", level=1, step_on=today, late=False, reason=text,
                            audience=audience, recipients=c.contacts.emails(audience),
                            days_overdue=c.days_overdue(today))]
