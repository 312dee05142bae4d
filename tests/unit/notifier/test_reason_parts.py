"""The words people wrote reach a Welsh email as written: the notifier finds them in the English
reason the tracker writes. These tests take that English from the tracker's own functions, so a
change to its sentences fails here rather than silently dropping the people's words."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from services.notifier.domain.reason_parts import as_date, key_date, key_days_before, parts
from services.tracker.domain import (
    Commitment,
    Contacts,
    decide_change,
    decide_early_warning,
    decide_extension_refused,
    decide_extension_request,
    decide_handover,
    decide_insisted,
    decide_owner_unreachable,
    decide_reopen,
)

WHO = Contacts("owner@example.org", "sup@example.org", "senior@example.org", "board@example.org")
AGREED, DUE, TODAY = dt.date(2026, 3, 2), dt.date(2026, 6, 1), dt.date(2026, 5, 4)
# What people write: any text the events allow (no control characters but line breaks and tabs).
SAID = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t"), min_size=1,
               max_size=80).filter(str.strip)


def commitment(**kw) -> Commitment:
    fields = dict(id="c1", status="in_progress", agreed_on=AGREED, due=DUE, original_due=DUE, update_every_days=30,
                  ladder_since=AGREED, contacts=WHO)
    return Commitment(**{**fields, **kw})


@settings(max_examples=40, deadline=None)
@given(SAID)
def test_a_handover_and_a_change_keep_the_reason_given(said):
    escalated = commitment(sent_keys=frozenset({"overdue:1:v1"}))
    handover = decide_handover(escalated, replace(escalated, handovers=1), said, TODAY)
    assert parts("handover", handover.reason)["said"] == said
    (moved,) = decide_change(escalated, replace(escalated, due=dt.date(2026, 7, 1), due_version=2), "extend", said,
                             TODAY)
    assert parts("changed", moved.reason) == {"before": "01 June 2026", "said": said}
    (withdrawn,) = decide_change(escalated, replace(escalated, status="withdrawn"), "withdraw", said, TODAY)
    assert parts("changed", withdrawn.reason) == {"said": said}


@settings(max_examples=40, deadline=None)
@given(SAID)
def test_an_early_warning_a_reopening_and_an_insistence_keep_the_peoples_words(said):
    (warning,) = decide_early_warning(commitment(), "significant_delay", "Inspector", said, TODAY)
    assert parts("early_warning", warning.reason) == {"who": "Inspector", "said": said, "days": "28"}
    kept = commitment(status="kept", done_on=dt.date(2026, 4, 1), kept_on=dt.date(2026, 4, 8))
    reopened = decide_reopen(kept, kept.reopen(TODAY, 90), said, TODAY)
    assert parts("reopened", reopened.reason) == {"kept": "08 April 2026", "said": said}
    declined = decide_insisted(WHO, "declined", "r2", said, TODAY, respond_by=dt.date(2026, 6, 3))
    assert parts("insisted", declined.reason) == {"by": "03 June 2026", "said": said}
    withdrawn = decide_insisted(WHO, "withdrawn", "w1", said, TODAY)
    assert parts("insisted", withdrawn.reason) == {"said": said}


def test_the_deadline_requests_and_the_unreachable_owner_give_their_dates_and_address():
    asked = dt.date(2026, 9, 30)
    request = decide_extension_request(commitment(), asked, "Trainer off sick", TODAY)
    assert parts("extension_request", request.reason) == {"asked": "30 September 2026", "said": "Trainer off sick"}
    assert key_date(request.key) == asked
    refused = decide_extension_refused(commitment(), asked, TODAY)
    assert parts("extension_refused", refused.reason) == {"asked": "30 September 2026"}
    _, (unreachable,) = decide_owner_unreachable(commitment(), "owner@example.org", TODAY)
    assert parts("owner_unreachable", unreachable.reason) == {"email": "owner@example.org"}


def test_a_sentence_the_tracker_did_not_write_gives_nothing():
    assert parts("handover", "Because of handover.") == {}
    assert parts("overdue", "It was due on 01 June 2026 and is not done: 3 days overdue.") == {}


def test_dates_and_keys():
    assert as_date("03 December 2026") == dt.date(2026, 12, 3) and as_date("soon") is None and as_date(None) is None
    assert key_days_before("reminder:0:v2:d14") == 14 and key_days_before("overdue:1:v1") is None
    assert key_date("overdue:1:v1") is None
