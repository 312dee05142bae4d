"""The commands on a commitment (usecases/actions.py), on the in-memory storage: each one's rule,
what it writes (row, timeline entry, event, notices) and that a refusal writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from services.tracker.domain import TransitionError
from services.tracker.usecases import actions
from services.tracker.usecases.errors import Incomplete, NotFound
from tests.unit.tracker.usecases.conftest import TODAY, UID

UPDATE = dict(note="Briefed half the teams", percent=50, evidence_url=None, evidence_note=None, done=False,
              summary=None)
DONE = dict(UPDATE, note="All briefed", percent=100, evidence_note="The briefing list", done=True,
            summary="Every officer was briefed")


def test_an_update_moves_the_row_and_writes_one_entry_and_one_event(world):
    cid = world.commitment()
    state = world.run(cid, actions.post_update, **UPDATE)
    row = world.row(cid)
    assert (row.status, row.update_count, row.last_update_on) == ("in_progress", 1, TODAY)
    assert state.status == "in_progress" and state.last_update_at == world.clock.now()
    assert [e["kind"] for e in world.entries(cid)] == ["agreed", "updated"]
    assert world.entries(cid)[1]["entry"]["note"] == "Briefed half the teams"
    assert world.entries(cid)[1]["prev_hash"] == world.entries(cid)[0]["hash"]
    [event] = world.storage.events_of("commitment.updated")
    assert event["data"]["update"] == "Briefed half the teams" and event["subject"] == cid


def test_done_needs_evidence_and_a_summary_and_a_refusal_writes_nothing(world):
    cid = world.commitment()
    before = (world.row(cid), len(world.storage.events), world.storage.commits)
    with pytest.raises(Incomplete) as no_evidence:
        world.run(cid, actions.post_update, **dict(DONE, evidence_note=None))
    assert no_evidence.value.field == "evidence_url"
    with pytest.raises(Incomplete) as no_summary:
        world.run(cid, actions.post_update, **dict(DONE, summary=None))
    assert no_summary.value.field == "summary"
    assert (world.row(cid), len(world.storage.events), world.storage.commits) == before
    assert [e["kind"] for e in world.entries(cid)] == ["agreed"]


def test_done_with_evidence_completes_it(world):
    cid = world.commitment()
    world.run(cid, actions.post_update, **DONE)
    row = world.row(cid)
    assert (row.status, row.done_on, row.completions) == ("done", TODAY, 1)
    assert world.entries(cid)[-1]["entry"]["summary"] == "Every officer was briefed"
    assert world.storage.events_of("commitment.completed")


def test_an_unknown_commitment_is_not_found_and_a_refusing_check_stops_the_command(world):
    with pytest.raises(NotFound):
        world.run("no-such-id", actions.post_update, **UPDATE)
    cid = world.commitment()

    def refuse(row):
        raise PermissionError(row.owner_role)

    with pytest.raises(PermissionError):
        actions.run(world.storage, world.clock, cid, actions.post_update, refuse, **UPDATE)
    assert world.row(cid).update_count == 0 and not world.storage.events_of("commitment.updated")


def test_an_extension_within_the_owners_limit_moves_the_deadline(world):
    cid = world.commitment(due_in=30)
    new_due = TODAY + dt.timedelta(days=60)
    world.run(cid, actions.extend, new_due=new_due, reason="Training moved", recorder=world.recorder)
    row = world.row(cid)
    assert (row.due, row.due_version, row.original_due) == (new_due, 2, TODAY + dt.timedelta(days=30))
    assert world.entries(cid)[-1]["entry"]["to"] == new_due.isoformat()
    assert world.storage.events_of("commitment.extended")
    assert not world.told("extension_request")


def test_an_extension_past_the_limit_asks_the_supervisor_who_approves_it(world):
    cid = world.commitment(due_in=30)
    far = TODAY + dt.timedelta(days=30 + 91)  # the default policy lets an owner move it 90 days alone
    world.run(cid, actions.extend, new_due=far, reason="A new contract", recorder=world.recorder)
    row = world.row(cid)
    assert (row.due, row.requested_due, row.requested_reason) == (TODAY + dt.timedelta(days=30), far, "A new contract")
    [asked] = world.told("extension_request")
    assert asked.recipients == (f"s-{UID}@example.org",)
    assert world.entries(cid)[-1]["kind"] == "extension_requested"

    world.run(cid, actions.approve_extension, recorder=world.recorder)
    row = world.row(cid)
    assert (row.due, row.due_version, row.requested_due, row.requested_reason) == (far, 2, None, None)
    assert world.entries(cid)[-1]["entry"]["approved_by"] == "supervisor"


def test_there_is_nothing_to_approve_without_a_request(world):
    cid = world.commitment()
    with pytest.raises(TransitionError):
        world.run(cid, actions.approve_extension, recorder=world.recorder)
    assert world.row(cid).due_version == 1


def test_a_handover_changes_the_owner_tells_both_and_keeps_the_address_off_the_record(world):
    cid = world.commitment()
    new = "new-owner@example.org"
    world.run(cid, actions.hand_over, role="Sergeant", email=new, name="Sam", reason="Moved team",
              recorder=world.recorder)
    row = world.row(cid)
    assert (row.owner_role, row.owner_email, row.owner_name, row.handovers) == ("Sergeant", new, "Sam", 1)
    [notice] = world.told("handover")
    assert set(notice.recipients) >= {new, f"o-{UID}@example.org"}
    entry = world.entries(cid)[-1]["entry"]
    assert entry["handed_over_to"] == "Sergeant" and new not in str(entry)
    assert new not in str(world.storage.events_of("commitment.updated"))


def test_handing_over_to_the_same_owner_is_refused(world):
    cid = world.commitment()
    with pytest.raises(TransitionError):
        world.run(cid, actions.hand_over, role="Inspector", email=f"O-{UID}@example.org", name=None,
                  reason="same", recorder=world.recorder)
    assert not world.told("handover")


def test_a_withdrawal_ends_it(world):
    cid = world.commitment()
    world.run(cid, actions.withdraw, reason="No longer possible", recorder=world.recorder)
    assert world.row(cid).status == "withdrawn"
    assert world.storage.events_of("commitment.withdrawn")
    with pytest.raises(TransitionError):
        world.run(cid, actions.post_update, **UPDATE)


@pytest.mark.parametrize("verdict, status", [("confirmed", "kept"), ("disputed", "disputed")])
def test_the_panels_verdict_on_done(world, verdict, status):
    cid = world.commitment()
    with pytest.raises(TransitionError):  # nothing is done yet
        world.run(cid, actions.verdict, verdict=verdict, comment="")
    world.run(cid, actions.post_update, **DONE)
    world.run(cid, actions.verdict, verdict=verdict, comment="We checked")
    assert world.row(cid).status == status
    assert world.storage.events_of(f"commitment.{verdict}")


def test_a_kept_promise_reopens_within_the_window_and_the_ladder_starts_again(world):
    cid = world.commitment()
    world.run(cid, actions.post_update, **DONE)
    world.run(cid, actions.verdict, verdict="confirmed", comment="")
    world.later(30)
    world.run(cid, actions.reopen, comment="It stopped", recorder=world.recorder)
    row = world.row(cid)
    reopened_on = TODAY + dt.timedelta(days=30)
    assert (row.status, row.reopenings, row.reopened_on, row.due_version) == ("in_progress", 1, reopened_on, 2)
    assert row.due == reopened_on + dt.timedelta(days=row.update_every_days)
    [notice] = world.told("reopened")
    assert notice.key == "reopened:1:r1"
    assert world.entries(cid)[-1]["entry"]["told"] == ["owner", "supervisor"]


def test_a_reopening_after_the_window_is_refused(world):
    cid = world.commitment()
    world.run(cid, actions.post_update, **DONE)
    world.run(cid, actions.verdict, verdict="confirmed", comment="")
    world.later(26 * 7 + 1)  # the default window is 26 weeks
    with pytest.raises(TransitionError):
        world.run(cid, actions.reopen, comment="Too late", recorder=world.recorder)
    assert world.row(cid).status == "kept" and not world.told("reopened")


def test_an_early_warning_tells_the_supervisor_once_per_deadline(world):
    cid = world.commitment(due_in=30)
    late = dict(UPDATE, track="significant_delay", delay_reason="The trainer left")
    world.run(cid, actions.post_update, **late, recorder=world.recorder)
    [warning] = world.told("early_warning")
    assert f"s-{UID}@example.org" in warning.recipients and warning.key == "early_warning:1:v1"
    assert world.row(cid).delay_reason == "The trainer left"
    assert world.entries(cid)[-1]["entry"]["told"] == ["owner", "supervisor"]

    world.run(cid, actions.post_update, **late, recorder=world.recorder)  # said again: told once
    assert len(world.told("early_warning")) == 1
    world.run(cid, actions.extend, new_due=TODAY + dt.timedelta(days=50), reason="Trainer", recorder=world.recorder)
    world.run(cid, actions.post_update, **late, recorder=world.recorder)  # a new deadline: told again
    assert len(world.told("early_warning")) == 2


def test_a_delay_said_on_or_after_the_due_date_is_no_early_warning(world):
    cid = world.commitment(due_in=1)
    world.later(1)
    world.run(cid, actions.post_update, **dict(UPDATE, track="significant_delay", delay_reason="Late"),
              recorder=world.recorder)
    assert not world.told("early_warning")


def test_on_track_clears_the_delay_reason(world):
    cid = world.commitment(due_in=30)
    world.run(cid, actions.post_update, **dict(UPDATE, track="minor_delay", delay_reason="Holidays"),
              recorder=world.recorder)
    assert (world.row(cid).track, world.row(cid).delay_reason) == ("minor_delay", "Holidays")
    world.run(cid, actions.post_update, **dict(UPDATE, track="on_track", delay_reason="ignored"),
              recorder=world.recorder)
    assert (world.row(cid).track, world.row(cid).delay_reason) == ("on_track", None)
