"""The escalation ladder of contract §4 as pure functions.

`decide(commitment, today, policy)` lists the notices that are due and not
yet sent. Every notice has a key (kind, level, due version or epoch) that the
store keeps unique, so deciding twice never tells anyone twice.

Steps that fell due before we first knew of the commitment's current
deadline ("first seen already late") collapse into one notice at the highest
step reached; steps missed while we were down are each sent, marked late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from schemas.models import NoticeKind
from schemas.policy import Policy
from services.common.dates import add_days
from services.tracker.domain.model import (
    Audience,
    Commitment,
    Notice,
    PendingRecommendation,
)
from services.tracker.domain.rules import ACTIVE, WORKING

OWNER: tuple[Audience, ...] = ("owner",)
UP_TO = {
    0: ("owner",),
    1: ("owner", "supervisor"),
    2: ("owner", "supervisor", "senior_lead"),
    3: ("owner", "supervisor", "senior_lead", "board"),
}


@dataclass(frozen=True)
class Step:
    kind: NoticeKind
    level: int
    on: dt.date
    key: str
    audience: tuple[Audience, ...]


def decide(c: Commitment, today: dt.date, policy: Policy) -> list[Notice]:
    steps = _collapse(_deadline_steps(c, policy) + _silence_steps(c, policy), c.ladder_since, today)
    steps += _event_steps(c, policy)
    return [_notice(c, s, today) for s in steps if s.on <= today and s.key not in c.sent_keys]


def next_action_on(c: Commitment, today: dt.date, policy: Policy) -> dt.date | None:
    """The next day a scan has something to do for this commitment, if any."""
    steps = _deadline_steps(c, policy) + _silence_steps(c, policy) + _event_steps(c, policy)
    days = [s.on for s in steps if s.key not in c.sent_keys]
    if c.status == "done" and c.done_on:
        days.append(_confirm_by(c, policy))
    future = [d for d in days if d > today]
    return min(future) if future else None


def time_transition(c: Commitment, today: dt.date, policy: Policy) -> str | None:
    """A status the passing of time alone brings: kept by silence, or lapsed."""
    if c.status == "done" and c.done_on and today >= _confirm_by(c, policy):
        return "kept"
    lapse_on = policy.add_days(c.due, policy.escalate_after_days[1])
    if c.status in ("open", "in_progress", "disputed") and today >= lapse_on:
        return "lapsed"
    return None


def _confirm_by(c: Commitment, policy: Policy) -> dt.date:
    """The day silence counts as the panel's "yes"; each access-code lock adds a day."""
    return add_days(c.done_on, policy.confirm_within_days + c.confirm_extra_days)


def decide_response(rec: PendingRecommendation, today: dt.date, policy: Policy) -> list[Notice]:
    """The police's response clock on a pending recommendation."""
    out = []
    for s in _collapse(_response_steps(rec, policy), rec.ladder_since, today):
        if s.on <= today and s.key not in rec.sent_keys:
            days = (today - rec.respond_by).days
            said = "said yes in principle to this recommendation and " if rec.in_principle else ""
            out.append(Notice(
                key=s.key, kind=s.kind, level=s.level, step_on=s.on,
                late=rec.ladder_since < s.on < today,
                reason=f"The police {said}were due to agree or decline "
                       f"{'it' if said else 'this recommendation'} by "
                       f"{rec.respond_by:%d %B %Y}; that was {days_text(days)} ago.",
                audience=s.audience, recipients=rec.contacts.emails(s.audience), days_overdue=days,
            ))
    return out


def next_response_on(rec: PendingRecommendation, today: dt.date, policy: Policy) -> dt.date | None:
    future = [s.on for s in _response_steps(rec, policy) if s.key not in rec.sent_keys and s.on > today]
    return min(future, default=None)


def _response_steps(rec: PendingRecommendation, policy: Policy) -> list[Step]:
    if rec.decided:
        return []
    first = add_days(rec.respond_by, 1)
    v = "" if rec.round == 1 else f":r{rec.round}"  # a new round (the panel insisted): its own notices
    # Yes in principle is a new clock after any earlier one: its own keys, so its supervisor is told
    # even when the first deadline's notice went out before police said it.
    v += ":p" if rec.in_principle else ""
    return [
        Step("response_due", 1, first, f"response_due:1{v}", ("supervisor",)),
        Step("response_due", 2, policy.add_days(first, policy.response_second_level_after_days),
             f"response_due:2{v}", ("supervisor", "senior_lead")),
    ]


def _deadline_steps(c: Commitment, policy: Policy) -> list[Step]:
    if c.status not in ACTIVE:
        return []
    v, due = c.due_version, c.due
    steps = []
    if c.status in WORKING:
        steps += [
            Step("reminder", 0, policy.add_days(due, -d), f"reminder:0:v{v}:d{d}", OWNER)
            for d in sorted(policy.reminder_days_before, reverse=True)
        ]
    lvl2, lvl3 = policy.escalate_after_days
    steps += [
        Step("overdue", 1, add_days(due, 1), f"overdue:1:v{v}", UP_TO[1]),
        Step("escalation", 2, policy.add_days(due, lvl2), f"escalation:2:v{v}", UP_TO[2]),
        Step("escalation", 3, policy.add_days(due, lvl3), f"escalation:3:v{v}", UP_TO[3]),
    ]
    return steps


def _silence_steps(c: Commitment, policy: Policy) -> list[Step]:
    # Past the due date the overdue ladder speaks instead.
    if c.status not in WORKING:
        return []
    first = c.next_update_by()  # the public date: the first nudge falls on it, never on another day
    assert first is not None
    every = c.update_every_days
    epoch = f"u{c.update_count}" + (f":r{c.reopenings}" if c.reopenings else "")
    steps = [
        Step("silent", 0, first, f"silent:0:{epoch}", OWNER),
        Step("silent", 1, add_days(first, every), f"silent:1:{epoch}", UP_TO[1]),
    ]
    return [s for s in steps if s.on <= c.due]


def _event_steps(c: Commitment, policy: Policy) -> list[Step]:
    """Steps that follow from what happened rather than from the calendar."""
    steps = []
    review_on = _add_months(c.agreed_on, policy.review_after_months)
    if c.status in ACTIVE:
        steps.append(Step("review", 0, review_on, "review:0", ("senior_lead", "board")))
    if c.status == "disputed" and c.disputed_on:
        steps.append(Step("dispute", 2, c.disputed_on, f"dispute:2:n{c.disputes}", UP_TO[2]))
    told = _highest_level_told(c)
    if c.status in ("done", "kept") and told >= 1 and c.done_on:
        steps.append(Step("back_on_track", told, c.done_on, f"back_on_track:{told}:n{c.completions}", UP_TO[told]))
    return steps


def _collapse(steps: list[Step], since: dt.date, today: dt.date) -> list[Step]:
    """Steps already due when first seen become one: the highest of them."""
    before = [s for s in steps if s.on <= since and s.on <= today]
    after = [s for s in steps if s not in before]
    highest = max(before, key=lambda s: (s.level, s.on), default=None)
    return ([highest] if highest else []) + after


def _highest_level_told(c: Commitment) -> int:
    return told_level(c)


# Notices about a change people make, not steps of the ladder: they never raise the level told.
_NOT_LADDER = ("reminder", "back_on_track", "review", "handover", "changed", "extension_request", "early_warning",
               "insisted")


def told_level(c: Commitment) -> int:
    """The highest escalation level anyone has been told of (0: only the owner, or nobody)."""
    levels = [int(k.split(":")[1]) for k in c.sent_keys if not k.startswith(_NOT_LADDER)]
    return max(levels, default=0)


def settle(c: Commitment, status: str, policy: Policy) -> Commitment:
    """The commitment after `time_transition` gave it `status`: kept by silence on the day silence
    counted as the panel's yes."""
    if status == "kept" and c.done_on:
        return c.kept_by_silence(_confirm_by(c, policy))
    return replace(c, status=status)


def still_working_asked(c: Commitment, today: dt.date, policy: Policy) -> bool:
    """The sustainment check: from `sustain_check_weeks` after it was kept until the reopen window
    closes, the panel's page asks "still working?" (and offers to reopen it)."""
    window = reopen_window(c, policy)
    return window is not None and window[0] <= today <= window[1]


def reopen_window(c: Commitment, policy: Policy) -> tuple[dt.date, dt.date] | None:
    """(the day the page starts asking, the last day it may be reopened) for a kept promise."""
    kept = c.kept_on or c.done_on
    if c.status != "kept" or kept is None:
        return None
    return (add_days(kept, 7 * policy.sustain_check_weeks),
            add_days(kept, 7 * policy.reopen_window_weeks))


def _notice(c: Commitment, s: Step, today: dt.date) -> Notice:
    return Notice(
        key=s.key, kind=s.kind, level=s.level, step_on=s.on, late=c.ladder_since < s.on < today,
        reason=_reason(c, s, today), audience=s.audience,
        recipients=c.contacts.emails(s.audience), days_overdue=c.days_overdue(today),
    )


def _reason(c: Commitment, s: Step, today: dt.date) -> str:
    due = f"{c.due:%d %B %Y}"
    late = c.days_overdue(today)
    match s.kind:
        case "reminder":
            return f"This commitment is due on {due}, in {days_text((c.due - today).days)}."
        case "silent":
            since = add_days(s.on, -c.update_every_days * (s.level + 1))
            return f"No progress update since {since:%d %B %Y} ({days_text((today - since).days)})."
        case "overdue":
            return f"It was due on {due} and is not done: {days_text(late)} overdue."
        case "escalation":
            lapsed = " It has now lapsed." if s.level == 3 else ""
            return f"It was due on {due} and is still not done: {days_text(late)} overdue.{lapsed}"
        case "dispute":
            return "The youth panel disputed that this commitment was done."
        case "review":
            return f"Six months since it was agreed on {c.agreed_on:%d %B %Y}, and it is still open."
        case "back_on_track":
            return "This commitment is done after it was escalated: thank you."
    raise AssertionError(s.kind)


def days_text(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")
