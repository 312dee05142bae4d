"""The tracker's rules as tables, each written once: statuses, and for every notice kind the
commitment event it publishes, its email subject and the words the panel's page uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from services.common.i18n import N_

Status = Literal["open", "in_progress", "done", "kept", "disputed", "withdrawn", "lapsed"]
# Not finished: the ladder runs, and the owner can still act (update, finish, extend, withdraw).
ACTIVE: frozenset[str] = frozenset({"open", "in_progress", "disputed", "lapsed"})
# Not yet late enough to count as broken and not disputed: reminders and silence nudges apply.
WORKING: frozenset[str] = frozenset({"open", "in_progress"})
FINISHED: frozenset[str] = frozenset({"done", "kept", "withdrawn"})  # nothing is overdue
# Decisions that still owe the panel an answer, so the response clock runs (contract §5): yes in
# principle is not an answer, only a later deadline for one.
OWING: frozenset[str] = frozenset({"pending", "in_principle"})


@dataclass(frozen=True)
class NoticeRule:
    event: str | None  # the commitment event a scan publishes with it (None: the change's own event says it)
    subject: str  # str.format with days, s (plural), level
    words: str  # the panel page's timeline, in plain words (marked for the catalogue; translated where shown)


NOTICES: dict[str, NoticeRule] = {
    "reminder": NoticeRule("commitment.due_soon", "Reminder: due soon", N_("The owner got a reminder")),
    "silent": NoticeRule("commitment.silent", "Update needed", N_("The owner was asked for news")),
    "overdue": NoticeRule("commitment.overdue", "Overdue by {days} day{s}", N_("It was late, so the boss was told")),
    "escalation": NoticeRule("commitment.escalated", "Escalation level {level}: overdue by {days} days",
                             N_("It was very late, so senior police were told")),
    "dispute": NoticeRule("commitment.escalated", "Disputed by the youth panel",
                          N_("Senior police were told you disagree")),
    "review": NoticeRule("commitment.review_due", "Six-month review due", N_("Senior police were asked to review it")),
    "back_on_track": NoticeRule("commitment.back_on_track", "Back on track", N_("Everyone told was told it is done")),
    "response_due": NoticeRule(None, "Response overdue", N_("The police were reminded to answer")),
    "handover": NoticeRule(None, "New owner", N_("The new and old owner were told")),
    "changed": NoticeRule(None, "Changed after escalation", N_("Everyone told before was told of the change")),
    "extension_request": NoticeRule(None, "Your approval is needed for a new deadline",
                                    N_("The owner's boss was asked to agree a later deadline")),
    "early_warning": NoticeRule(None, "Early warning: this will be late",
                                N_("The owner warned early that it will be late, and their boss was told")),
    "reopened": NoticeRule(None, "Reopened by the youth panel",
                           N_("The owner and their boss were told it is open again")),
    "insisted": NoticeRule(None, "The youth panel insists", N_("The police were told you insist")),
    "extension_refused": NoticeRule(None, "New deadline refused: the first one stands",
                                    N_("The owner's boss said no to a later deadline, and the owner was told")),
    "owner_unreachable": NoticeRule(None, "This commitment needs a new owner",
                                    N_("The police lead could not be reached, so their boss was asked to name a new "
                                       "one")),
}
