"""An owner who has gone is noticed (contract §5): the pure rule deciding the flag and the one
notice to the supervisor, over plain data."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from services.tracker.domain import Commitment, Contacts, decide_owner_unreachable
from services.tracker.domain.change_notices import NEEDS_OWNER

WHO = Contacts("Owner@Example.org", "sup@example.org", "senior@example.org", "board@example.org")
DAY = dt.date(2026, 5, 4)
STATUSES = ("open", "in_progress", "done", "kept", "disputed", "withdrawn", "lapsed")


def commitment(**kw) -> Commitment:
    fields = dict(id="c1", status="in_progress", agreed_on=dt.date(2026, 3, 2), due=dt.date(2026, 6, 1),
                  original_due=dt.date(2026, 6, 1), update_every_days=30, ladder_since=dt.date(2026, 3, 2),
                  contacts=WHO)
    return Commitment(**{**fields, **kw})


def sent(c: Commitment, notices) -> Commitment:
    return c.with_sent(*(n.key for n in notices))


def test_a_failure_to_the_owner_flags_it_and_asks_the_supervisor_naming_the_address_and_the_route():
    after, told = decide_owner_unreachable(commitment(), "owner@example.org", DAY)
    assert after.owner_unreachable_since == DAY
    (n,) = told
    assert (n.kind, n.key, n.recipients, n.audience) == ("owner_unreachable", "owner_unreachable:1:h0",
                                                         ("sup@example.org",), ("supervisor",))
    assert "owner@example.org" in n.reason and "POST /api/v1/commitments/c1/owner" in n.reason


def test_failing_again_asks_no_more_and_keeps_the_first_day():
    first, told = decide_owner_unreachable(commitment(), "owner@example.org", DAY)
    again, more = decide_owner_unreachable(sent(first, told), "owner@example.org", DAY + dt.timedelta(days=9))
    assert more == [] and again.owner_unreachable_since == DAY


def test_a_handover_clears_the_flag_and_a_failure_to_the_new_owner_is_a_new_episode():
    first, told = decide_owner_unreachable(commitment(), "owner@example.org", DAY)
    handed = sent(first, told).hand_over("new@example.org")
    assert handed.owner_unreachable_since is None
    later = DAY + dt.timedelta(days=3)
    assert decide_owner_unreachable(handed, "owner@example.org", later) == (handed, [])  # the old owner: gone anyway
    flagged, (n,) = decide_owner_unreachable(handed, "NEW@example.org", later)
    assert (flagged.owner_unreachable_since, n.key) == (later, "owner_unreachable:1:h1")


@given(status=st.sampled_from(STATUSES),
       recipient=st.sampled_from(["owner@example.org", "OWNER@EXAMPLE.ORG", " owner@example.org ", "sup@example.org",
                                  "senior@example.org", "someone@example.org"]),
       handovers=st.integers(0, 5), failures=st.integers(1, 4))
def test_only_the_current_owner_of_a_commitment_still_needing_one_is_flagged_and_asked_for_once(
        status, recipient, handovers, failures):
    c = commitment(status=status, handovers=handovers)
    asked = []
    for i in range(failures):
        c, told = decide_owner_unreachable(c, recipient, DAY + dt.timedelta(days=i))
        asked += told
        c = sent(c, told)
    theirs = recipient.strip().lower() == "owner@example.org" and status in NEEDS_OWNER
    assert (c.owner_unreachable_since == DAY) is theirs and (c.owner_unreachable_since is None) is not theirs
    assert [n.key for n in asked] == ([f"owner_unreachable:1:h{handovers}"] if theirs else [])
    assert all(n.recipients == ("sup@example.org",) for n in asked)
