"""The right of reply's pure rules: which decision a reply answers, which replies fit it, and
the keys that keep each answer round's notices once."""

from __future__ import annotations

import datetime as dt

import pytest

from services.tracker.domain import Contacts, PendingRecommendation, Policy, TransitionError, decide_insisted
from services.tracker.domain.ladder import decide_response
from services.tracker.domain.reply import ReplyRefused, answered_decision, check_reply, new_response_deadline

DAY = dt.date(2026, 3, 2)
WHO = Contacts("lead@example.org", "sup@example.org", "senior@example.org", "board@example.org")


def test_a_reply_answers_the_decision_standing_now():
    assert answered_decision("agreed", "in_progress") == "agreed"
    assert answered_decision("agreed", "withdrawn") == "withdrawn"
    assert answered_decision("declined", None) == "declined"
    with pytest.raises(TransitionError, match="not decided yet"):
        answered_decision("pending", None)


def test_insisting_fits_a_no_or_a_withdrawal_but_not_an_agreement():
    check_reply("declined", "insist")
    check_reply("withdrawn", "insist")
    check_reply("agreed", "counter")
    with pytest.raises(ReplyRefused, match="cannot insist"):
        check_reply("agreed", "insist")


def test_each_answer_round_has_its_own_response_due_keys_and_a_new_response_deadline():
    clock = new_response_deadline(DAY, Policy())
    assert clock.respond_by == DAY + dt.timedelta(days=56)
    first = PendingRecommendation("r", respond_by=DAY, ladder_since=DAY - dt.timedelta(days=30), contacts=WHO)
    again = PendingRecommendation("r", respond_by=clock.respond_by, ladder_since=DAY, contacts=WHO, round=2,
                                  sent_keys=frozenset({"response_due:1", "response_due:2"}))
    late = clock.respond_by + dt.timedelta(days=1)
    assert [n.key for n in decide_response(first, DAY + dt.timedelta(days=1), Policy())] == ["response_due:1"]
    assert [n.key for n in decide_response(again, late, Policy())] == ["response_due:1:r2"]
    assert decide_response(again, late - dt.timedelta(days=1), Policy()) == []


def test_the_police_hear_at_once_that_the_panel_insists():
    n = decide_insisted(WHO, "declined", "r2", "Our street is dark.", DAY, DAY + dt.timedelta(days=56))
    assert (n.key, n.kind, n.level) == ("insisted:1:r2", "insisted", 1)
    assert n.recipients == ("lead@example.org", "sup@example.org")
    assert "27 April 2026" in n.reason and "Our street is dark." in n.reason
    withdrawn = decide_insisted(WHO, "withdrawn", "withdrawn", "", DAY)
    assert withdrawn.key == "insisted:1:withdrawn" and "withdrawn" in withdrawn.reason
