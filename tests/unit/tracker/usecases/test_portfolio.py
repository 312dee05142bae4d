"""`/me`'s use case (usecases/portfolio.py) on the in-memory storage: the page and the CSV's rows
come from the person's part in the order the rules give, and every action runs through the same
command as the respond and approve pages, refused (writing nothing) where the role does not allow."""

from __future__ import annotations

import datetime as dt

import pytest

from services.common.problems import Problem
from services.tracker.adapters.publish import next_update_by_of
from services.tracker.domain.portfolio import ROLES, Item, roles_of
from services.tracker.usecases import portfolio
from tests.unit.tracker.usecases.conftest import TODAY, UID

OWNER, SUPERVISOR, BOARD = f"O-{UID}@example.org", f"s-{UID}@example.org", f"b-{UID}@example.org"


class FakePortfolio:
    """The PortfolioStore over the fake storage's commitment rows."""

    def __init__(self, storage) -> None:
        self.storage = storage

    def _all(self):
        return [self.storage.commitments.get(k) for k in self.storage.commitments.rows]

    def items(self, email):
        out = []
        for r in self._all():
            roles = roles_of(email, r.owner_email, *(r.escalation[k] for k in ROLES[1:]))
            if roles:
                out.append(Item(id=r.id, roles=roles, status=r.status, due=r.due, panel=r.panel,
                                next_update_by=next_update_by_of(r), requested_due=r.requested_due))
        return out

    def rows(self, ids):
        found = {r.id: r for r in self._all()}
        return {i: (found[i], "Explain stops") for i in ids if i in found}


@pytest.fixture
def part(world):
    store = FakePortfolio(world.storage)
    ids = {"late": world.commitment(due_in=-5), "soon": world.commitment(due_in=7), "rest": world.commitment(90)}
    return store, ids


def test_the_page_puts_what_needs_them_first_and_counts_each_need(world, part):
    store, ids = part
    page = portfolio.page(store, BOARD, TODAY, portfolio.Filters())
    assert [e.row.id for e in page.entries] == [ids["late"], ids["soon"], ids["rest"]]
    assert page.needing == {"late": 1, "due_soon": 1} and page.total == 3 and page.pages == 1
    assert [e.need for e in page.entries] == ["late", "due_soon", None]
    assert all(e.may == frozenset() for e in page.entries)  # the board watches
    assert page.panels == [f"panel-{UID}"]
    two = portfolio.page(store, BOARD, TODAY, portfolio.Filters(), number=2, size=2)
    assert [e.row.id for e in two.entries] == [ids["rest"]] and two.pages == 2
    assert [e.row.id for e in portfolio.everything(store, BOARD, TODAY, portfolio.Filters())] == \
        [e.row.id for e in page.entries]
    assert portfolio.page(store, "nobody@example.org", TODAY, portfolio.Filters()).total == 0
    assert portfolio.page(store, SUPERVISOR, TODAY, portfolio.Filters(role="owner")).total == 0


def test_the_owner_acts_through_the_respond_pages_commands(world, part):
    _, ids = part
    state = portfolio.act(world.storage, world.clock, world.recorder, OWNER, ids["rest"], "update",
                          note="Booked", percent=None, evidence_url=None, evidence_note=None, done=False,
                          summary=None, track="on_track", delay_reason=None)
    assert state.status == "in_progress"
    far = TODAY + dt.timedelta(days=300)
    state = portfolio.act(world.storage, world.clock, world.recorder, OWNER, ids["rest"], "extend",
                          new_due=far, reason="Budget")
    assert state.requested_due == far and world.told("extension_request")


@pytest.mark.parametrize("who, action", [(BOARD, "approve"), (OWNER, "approve"), (SUPERVISOR, "update"),
                                         ("x@example.org", "hand_over")])
def test_a_role_that_does_not_allow_it_is_refused_and_nothing_is_written(world, part, who, action):
    _, ids = part
    cid = ids["late"]
    world.storage.commitments.update(cid, {"requested_due": TODAY + dt.timedelta(days=200),
                                           "requested_reason": "Budget"})
    before = (world.row(cid), len(world.storage.events))
    fields = {"update": dict(note="x", percent=None, evidence_url=None, evidence_note=None, done=False,
                             summary=None), "hand_over": dict(role="PC", email="n@example.org", name=None,
                                                             reason="Moved")}.get(action, {})
    with pytest.raises(Problem) as refused:
        portfolio.act(world.storage, world.clock, world.recorder, who, cid, action, **fields)
    assert refused.value.status == 403
    assert (world.row(cid), len(world.storage.events)) == before


def test_the_supervisor_approves_or_refuses_what_was_asked(world, part):
    _, ids = part
    far = TODAY + dt.timedelta(days=300)
    for cid in (ids["soon"], ids["rest"]):
        portfolio.act(world.storage, world.clock, world.recorder, OWNER, cid, "extend", new_due=far, reason="B")
    assert portfolio.act(world.storage, world.clock, world.recorder, SUPERVISOR, ids["soon"], "approve").due == far
    refused = portfolio.act(world.storage, world.clock, world.recorder, SUPERVISOR, ids["rest"], "refuse")
    assert refused.due == TODAY + dt.timedelta(days=90) and refused.requested_due is None
    assert world.entries(ids["rest"])[-1]["kind"] == "extension_refused"
    [event] = [e for e in world.storage.events_of("commitment.updated") if e["subject"] == ids["rest"]][-1:]
    assert "refused" in event["data"]["update"]
