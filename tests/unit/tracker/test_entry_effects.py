"""The one mutator: what each timeline entry does to a commitment's columns. The time machine
checks it against the live commands and scans; these pin the rules a replay relies on."""

from __future__ import annotations

import datetime as dt

import pytest

from schemas.policy import Policy
from services.tracker.domain import Commitment, Contacts, TransitionError
from services.tracker.domain.entry_effects import apply_entry, awaiting_owner

DAY = dt.date(2026, 3, 10)
AT = dt.datetime(2026, 3, 10, 10, tzinfo=dt.timezone.utc)
C = Commitment(id="c", status="open", agreed_on=DAY - dt.timedelta(days=30), due=DAY + dt.timedelta(days=30),
               original_due=DAY + dt.timedelta(days=30), update_every_days=30, ladder_since=DAY - dt.timedelta(days=30),
               contacts=Contacts("o@example.org", "s@example.org", "l@example.org", "b@example.org"))


def _apply(c: Commitment, kind: str, entry: dict, **kw):
    return apply_entry(c, kind, entry, AT, DAY, Policy(), **kw)


def test_a_progress_update_with_a_delay_sets_its_reason_and_time():
    applied = _apply(C, "updated", {"note": "slow", "track": "significant_delay", "delay_reason": "away"})
    assert (applied.commitment.status, applied.commitment.update_count, applied.commitment.track) == (
        "in_progress", 1, "significant_delay")
    assert applied.columns == {"last_update_at": AT, "delay_reason": "away"}


def test_an_update_that_says_nothing_of_the_track_keeps_the_delay_reason():
    assert _apply(C, "updated", {"note": "fine"}).columns == {"last_update_at": AT}


def test_a_handover_without_the_address_holds_a_placeholder_naming_the_handover():
    applied = _apply(C, "updated", {"owner": {"role": "Sergeant", "name": None}})
    assert applied.commitment.contacts.owner == awaiting_owner(1) and applied.commitment.handovers == 1
    assert applied.columns == {"owner_role": "Sergeant", "owner_name": None}
    live = _apply(C, "updated", {"owner": {"role": "Sergeant", "name": None}}, owner_email="new@example.org")
    assert live.commitment.contacts.owner == "new@example.org"


def test_kept_by_silence_takes_the_day_the_entry_names_else_the_entry_s_day():
    done = C.complete(DAY - dt.timedelta(days=40))
    assert _apply(done, "kept", {"kept_on": "2026-02-27"}).commitment.kept_on == dt.date(2026, 2, 27)
    assert _apply(done, "kept", {}).commitment.kept_on == DAY
    assert _apply(C, "lapsed", {}).commitment.status == "lapsed"


def test_a_request_for_a_later_deadline_changes_only_the_request():
    applied = _apply(C, "extension_requested", {"to": "2027-01-01", "reason": "winter"})
    assert applied.commitment == C
    assert applied.columns == {"requested_due": dt.date(2027, 1, 1), "requested_reason": "winter"}
    extended = _apply(C, "extended", {"to": "2026-06-01"})
    assert (extended.commitment.due, extended.commitment.due_version) == (dt.date(2026, 6, 1), 2)
    assert extended.columns == {"requested_due": None, "requested_reason": None}


def test_a_refused_request_clears_the_request_and_keeps_the_deadline():
    refused = _apply(C, "extension_refused", {"from": "2026-03-01", "to": "2027-01-01", "refused_by": "supervisor"})
    assert refused.commitment == C  # the first deadline stood all along
    assert refused.columns == {"requested_due": None, "requested_reason": None}


def test_a_notice_entry_changes_nothing_and_a_refused_transition_raises():
    assert _apply(C, "overdue", {"level": 1}) is None
    with pytest.raises(TransitionError):
        _apply(C, "confirmed", {})  # only a done commitment can be confirmed


def test_an_owner_unreachable_entry_flags_it_once_and_a_handover_clears_it():
    flagged = _apply(C, "owner_unreachable", {"told": ["supervisor"]}).commitment
    assert flagged.owner_unreachable_since == DAY and flagged.status == C.status
    later = apply_entry(flagged, "owner_unreachable", {}, AT, DAY + dt.timedelta(days=5), Policy()).commitment
    assert later.owner_unreachable_since == DAY  # the episode began on the first failure
    handed = _apply(flagged, "updated", {"owner": {"role": "Sergeant", "name": None}}, owner_email="new@example.org")
    assert handed.commitment.owner_unreachable_since is None
