"""A police lead's whole part (`GET /me`, contract §8.1): their portfolio, ordered so what needs them
comes first, a page or all of it (the CSV); and what they do from it, through the same commands and
rules as the respond and approve pages (actions.py), refused where their role on it does not allow."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from schemas import CommitmentPublic
from services.common.clock import Clock
from services.common.problems import FORBIDDEN
from services.tracker.adapters.portfolio_rows import SqlPortfolio
from services.tracker.adapters.rows import CommitmentRow
from services.tracker.domain.portfolio import Item, allowed, chosen, need_of, ordered, page_of, roles_of
from services.tracker.usecases import actions
from services.tracker.usecases.notices import NoticeRecorder
from services.tracker.usecases.unitofwork import Storage


class PortfolioStore(Protocol):
    def items(self, email: str) -> list[Item]:
        """Every commitment `email` owns or is on the ladder of, matched case-insensitively."""


    def rows(self, ids: list[str]) -> dict[str, tuple[CommitmentRow, str]]: ...


def on_database(engine) -> PortfolioStore:
    return SqlPortfolio(engine)


@dataclass(frozen=True)
class Filters:
    panel: str | None = None
    status: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class Entry:
    item: Item
    need: str | None
    row: CommitmentRow
    said: str  # the recommendation's title
    may: frozenset[str]  # what this person may do to it now


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    number: int
    pages: int
    total: int
    needing: dict[str, int]  # how many of each need, across every page
    panels: list[str]  # the panels they have a part in, for the filter


def page(store: PortfolioStore, email: str, today: dt.date, filters: Filters, number: int = 1,
         size: int = 25) -> Page:
    mine = store.items(email)
    items = ordered(chosen(mine, **vars(filters)), today)
    shown, pages = page_of(items, number, size)
    needing: dict[str, int] = {}
    for i in items:
        if need := need_of(i, today):
            needing[need] = needing.get(need, 0) + 1
    return Page(entries=_entries(store, shown, today), number=number, pages=pages, total=len(items),
                needing=needing, panels=sorted({i.panel for i in mine}))


def everything(store: PortfolioStore, email: str, today: dt.date, filters: Filters) -> list[Entry]:
    """Every page at once, in the same order (the CSV)."""
    return _entries(store, ordered(chosen(store.items(email), **vars(filters)), today), today)


def _entries(store: PortfolioStore, items: list[Item], today: dt.date) -> list[Entry]:
    rows = store.rows([i.id for i in items])
    return [Entry(item=i, need=need_of(i, today), row=rows[i.id][0], said=rows[i.id][1],
                  may=allowed(i.roles, i.status, i.requested_due)) for i in items if i.id in rows]


# Each action from /me and the command that does it on the respond or approve page.
COMMANDS = {"update": actions.post_update, "done": actions.post_update, "extend": actions.extend,
            "approve": actions.approve_extension, "refuse": actions.refuse_extension,
            "hand_over": actions.hand_over}
NEEDS_RECORDER = {"update", "done", "extend", "approve", "refuse", "hand_over"}


def act(storage: Storage, clock: Clock, recorder: NoticeRecorder, person: str, commitment_id: str, action: str,
        /, **fields: Any) -> CommitmentPublic:
    """Run `action` as the person with the email `person`, checked against the locked row: their role on it
    must allow it. Positional first, as a handover's fields have an `email` of their own."""
    if action in NEEDS_RECORDER:
        fields["recorder"] = recorder
    return actions.run(storage, clock, commitment_id, COMMANDS[action], _may(person, action), **fields)


def _may(email: str, action: str):
    def check(row: CommitmentRow) -> None:
        esc = row.escalation or {}
        roles = roles_of(email, row.owner_email, esc.get("supervisor"), esc.get("senior_lead"), esc.get("board"))
        if action not in allowed(roles, row.status, row.requested_due):
            raise FORBIDDEN(_why(roles, action))
    return check


def _why(roles: frozenset[str], action: str) -> str:
    if not roles:
        return "This commitment is not part of yours, so you cannot change it here."
    if action in ("approve", "refuse"):
        return ("Only the owner's boss named on this commitment decides a later deadline, and only while "
                "one is asked for.")
    return "Your part in this commitment does not let you do that, or it cannot be changed any more."
