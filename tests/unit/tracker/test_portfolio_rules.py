"""The rules of a lead's portfolio (domain/portfolio.py): who is who on a commitment, what needs
them, the order, the pages and what each role may do. Pure, so checked over many portfolios."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from services.tracker.domain.portfolio import (
    NEEDS,
    ROLES,
    Item,
    allowed,
    need_of,
    order_key,
    ordered,
    page_of,
    roles_of,
)
from services.tracker.domain.rules import ACTIVE

TODAY = dt.date(2026, 12, 3)
STATUSES = ["open", "in_progress", "done", "kept", "disputed", "withdrawn", "lapsed"]
days = st.integers(min_value=-60, max_value=120).map(lambda n: TODAY + dt.timedelta(days=n))
items = st.builds(Item, id=st.uuids().map(str), roles=st.frozensets(st.sampled_from(ROLES), min_size=1),
                  status=st.sampled_from(STATUSES), due=days, next_update_by=st.none() | days,
                  requested_due=st.none() | days)


def _item(**kw) -> Item:
    return Item(**{"id": "x", "roles": frozenset({"owner"}), "status": "open", "due": TODAY + dt.timedelta(days=60),
                   **kw})


def test_a_person_is_matched_to_owner_and_ladder_whatever_the_case():
    assert roles_of(" Sam.Smith@Force.Police.uk", "sam.smith@force.police.uk", "SAM.SMITH@force.police.uk",
                    "l@x.org", None) == {"owner", "supervisor"}
    assert roles_of("b@x.org", "o@x.org", "s@x.org", "l@x.org", "B@X.ORG") == {"board"}
    assert roles_of("nobody@x.org", "o@x.org", "s@x.org", "l@x.org", "b@x.org") == frozenset()


def test_what_needs_them_in_order_late_approval_silent_due_soon():
    late = _item(due=TODAY - dt.timedelta(days=1), requested_due=TODAY + dt.timedelta(days=200))
    assert need_of(late, TODAY) == "late"
    asked = _item(roles=frozenset({"supervisor"}), requested_due=TODAY + dt.timedelta(days=200))
    assert need_of(asked, TODAY) == "approval"
    assert need_of(_item(requested_due=TODAY + dt.timedelta(days=200)), TODAY) is None  # the owner waits
    assert need_of(_item(next_update_by=TODAY - dt.timedelta(days=1)), TODAY) == "silent"
    assert need_of(_item(next_update_by=TODAY), TODAY) is None  # due today is not missed yet
    assert need_of(_item(due=TODAY + dt.timedelta(days=14)), TODAY) == "due_soon"
    assert need_of(_item(due=TODAY + dt.timedelta(days=15)), TODAY) is None
    assert need_of(_item(status="kept", due=TODAY - dt.timedelta(days=9)), TODAY) is None


@given(st.lists(items, max_size=40, unique_by=lambda i: i.id))
def test_the_order_puts_needs_first_then_their_own_before_their_teams(portfolio):
    out = ordered(portfolio, TODAY)
    assert sorted(i.id for i in out) == sorted(i.id for i in portfolio)
    ranks = [NEEDS.index(n) if (n := need_of(i, TODAY)) else len(NEEDS) for i in out]
    assert ranks == sorted(ranks)
    for a, b in zip(out, out[1:], strict=False):
        if need_of(a, TODAY) == need_of(b, TODAY):
            assert ROLES.index(a.role) <= ROLES.index(b.role)
    for i in out:
        if need_of(i, TODAY) is None and i.status in ACTIVE:
            assert i.due >= TODAY
    assert ordered(list(reversed(portfolio)), TODAY) == out  # the order does not depend on how rows came


@given(st.lists(items, max_size=80, unique_by=lambda i: i.id), st.integers(min_value=1, max_value=30))
def test_the_pages_together_are_the_whole_portfolio_once(portfolio, size):
    out = ordered(portfolio, TODAY)
    _, pages = page_of(out, 1, size)
    joined = [i for n in range(1, pages + 1) for i in page_of(out, n, size)[0]]
    assert joined == out and all(len(page_of(out, n, size)[0]) <= size for n in range(1, pages + 1))
    assert page_of(out, pages + 1, size)[0] == []


def test_each_role_may_do_only_its_own_part():
    asked = TODAY + dt.timedelta(days=100)
    assert allowed(frozenset({"owner"}), "open", None) == {"update", "done", "extend", "hand_over"}
    assert allowed(frozenset({"supervisor"}), "open", asked) == {"approve", "refuse", "hand_over"}
    assert allowed(frozenset({"supervisor"}), "open", None) == {"hand_over"}
    assert allowed(frozenset({"senior_lead", "board"}), "lapsed", asked) == frozenset()
    assert allowed(frozenset({"owner", "supervisor"}), "kept", asked) == frozenset()


def test_the_key_sorts_late_before_the_rest_for_the_same_person():
    late, rest = _item(id="a", due=TODAY - dt.timedelta(days=3)), _item(id="b")
    assert order_key(late, TODAY) < order_key(rest, TODAY)
