"""A police lead's whole part (`GET /me`, contract §8.1): which commitments are theirs and in what
role, what needs them first, in what order, and what each role may do. Pure: the rows come in as
`Item`s, the day as `today`.

A person is their verified email; it is matched case-insensitively against the owner and the
ladder as stored, so a ladder written `S.Smith@Force.police.uk` is still Sergeant Smith's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.common.i18n import N_
from services.tracker.domain.rules import ACTIVE

# Their own commitments first, then those they answer for higher up the ladder.
ROLES = ("owner", "supervisor", "senior_lead", "board")
ROLE_WORDS = {"owner": N_("You own it"), "supervisor": N_("You are the owner's boss"),
              "senior_lead": N_("You are senior lead"), "board": N_("You are on the board")}
# What needs them first, in this order; anything else is "the rest".
NEEDS = ("late", "approval", "silent", "due_soon")
NEED_WORDS = {"late": N_("Late"), "approval": N_("Waiting for your approval"), "silent": N_("No update in time"),
              "due_soon": N_("Due soon")}
DUE_SOON_DAYS = 14  # the policy's first reminder: from then on the owner is being chased
PAGE_SIZE = 25

# What each role may do from /me: the owner works on it; the supervisor decides a later date and may
# hand it over when the owner has gone (as on the API, contract §5); above that, they watch.
OWNER_ACTIONS = frozenset({"update", "done", "extend", "hand_over"})
SUPERVISOR_ACTIONS = frozenset({"approve", "refuse", "hand_over"})


@dataclass(frozen=True)
class Item:
    id: str
    roles: frozenset[str]  # every role the person holds on it (an owner may be on their own ladder)
    status: str
    due: dt.date
    next_update_by: dt.date | None = None
    requested_due: dt.date | None = None
    panel: str = ""

    @property
    def role(self) -> str:
        """Their closest role: the one it is listed and filtered under."""
        return next(r for r in ROLES if r in self.roles)


def roles_of(email: str, owner: str | None, supervisor: str | None, senior_lead: str | None,
             board: str | None) -> frozenset[str]:
    """The roles `email` holds, compared case-insensitively and without stray spaces."""
    me = email.strip().lower()
    found = zip(ROLES, (owner, supervisor, senior_lead, board), strict=True)
    return frozenset(role for role, who in found if who and who.strip().lower() == me)


def chosen(items: list[Item], panel: str | None = None, status: str | None = None,
           role: str | None = None) -> list[Item]:
    """The items the page's filters keep; `role`: those where they hold that role."""
    return [i for i in items if (not panel or i.panel == panel) and (not status or i.status == status)
            and (not role or role in i.roles)]


def need_of(item: Item, today: dt.date) -> str | None:
    """The first of NEEDS that holds, or None."""
    if item.status not in ACTIVE:
        return None
    if item.due < today:
        return "late"
    if item.requested_due is not None and "supervisor" in item.roles:
        return "approval"
    if item.next_update_by is not None and item.next_update_by < today:
        return "silent"
    if (item.due - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return None


def order_key(item: Item, today: dt.date) -> tuple:
    """Needs first (in NEEDS' order), their own before their team's, the longest late or soonest due
    first; then the rest: what is still being worked on, then what is finished, each by due date."""
    need = need_of(item, today)
    rank = NEEDS.index(need) if need else len(NEEDS)
    finished = 0 if item.status in ACTIVE else 1
    return (rank, ROLES.index(item.role), finished, item.due, item.id)


def ordered(items: list[Item], today: dt.date) -> list[Item]:
    return sorted(items, key=lambda i: order_key(i, today))


def page_of(items: list, number: int, size: int = PAGE_SIZE) -> tuple[list, int]:
    """(the items on page `number`, counted from 1, past the last page: empty; how many pages)."""
    pages = max(1, -(-len(items) // size))
    start = (number - 1) * size
    return items[start:start + size], pages


def allowed(roles: frozenset[str], status: str, requested_due: dt.date | None) -> frozenset[str]:
    """What a person with these roles may do to a commitment now, from /me."""
    if status not in ACTIVE:
        return frozenset()
    may = set()
    if "owner" in roles:
        may |= OWNER_ACTIONS
    if "supervisor" in roles:
        may |= SUPERVISOR_ACTIONS if requested_due else SUPERVISOR_ACTIONS - {"approve", "refuse"}
    return frozenset(may)
