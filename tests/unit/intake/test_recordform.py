"""The record page's form goes through the API's models: errors come back beside the field
that caused them, in plain words; blank "add another" forms are skipped."""

from __future__ import annotations

import datetime as dt

from starlette.datastructures import FormData

from services.intake.web import recordform

THEMES = ("respect", "trust", "other")
DAY = dt.date(2026, 11, 20)


def _form(**fields) -> FormData:
    items = []
    for name, value in fields.items():
        name = name.replace("__", ".")
        for v in value if isinstance(value, list) else [value]:
            items.append((name, v))
    return FormData(items)


def test_three_decisions_in_one_form_become_three_requests():
    form = _form(count="4", **{
        "r0.title": "Tell us why you stop us", "r0.decision": "agreed", "r0.themes": ["respect", "trust"],
        "r0.commitment.action": "Brief officers", "r0.commitment.done_means": "All briefed",
        "r0.commitment.owner.role": "Inspector", "r0.commitment.owner.email": "insp@example.org",
        "r0.commitment.due": "2027-01-31", "r0.decline_reason": "ignored: the police agreed",
        "r1.title": "Visit every week", "r1.decision": "declined", "r1.decline_reason": "Not enough officers",
        "r2.title": "Publish the numbers", "r2.decision": "pending", "r2.respond_within_days": "30",
    })
    entries = recordform.read_entries(form)
    assert len(entries) == 4 and entries[3].empty
    requests = recordform.validate(entries, "p1", DAY, THEMES)
    assert [r.decision for r in requests] == ["agreed", "declined", "pending"]
    assert {r.raised_on for r in requests} == {DAY} and {r.panel for r in requests} == {"p1"}
    assert requests[0].commitment.owner.email == "insp@example.org" and requests[0].decline_reason is None
    assert requests[0].themes == ["respect", "trust"] and requests[2].respond_within_days == 30


def test_each_error_is_kept_beside_its_field_in_plain_words():
    form = _form(count="3", **{
        "r0.title": "Call me on 07700 900123", "r0.decision": "pending",
        "r1.title": "Brief officers", "r1.decision": "agreed", "r1.commitment.owner.email": "nope",
        "r1.commitment.due": "2026-01-01",
        "r2.title": "Visit every week", "r2.decision": "declined",
    })
    entries = recordform.read_entries(form)
    assert recordform.validate(entries, "p1", DAY, THEMES) is None
    assert "phone number" in entries[0].errors["title"]
    assert entries[1].errors["commitment.action"] == "Fill this in."
    assert "email" in entries[1].errors["commitment.owner.email"]
    assert entries[2].errors["decline_reason"].startswith("Say why the police said no")
    nothing_chosen = recordform.read_entries(_form(**{"r0.title": "Something"}))
    assert recordform.validate(nothing_chosen, "p1", DAY, THEMES) is None
    assert nothing_chosen[0].errors == {"decision": "Choose one."}


def test_a_due_date_before_the_session_is_refused_beside_the_due_date():
    entries = recordform.read_entries(_form(**{
        "r0.title": "Brief officers", "r0.decision": "agreed", "r0.commitment.action": "Brief",
        "r0.commitment.done_means": "Briefed", "r0.commitment.owner.role": "Inspector",
        "r0.commitment.owner.email": "i@example.org", "r0.commitment.due": "2026-11-01"}))
    assert recordform.validate(entries, "p1", DAY, THEMES) is None
    assert "before the session" in entries[0].errors["commitment.due"]


def test_the_session_date_is_checked_once():
    assert recordform.session_date("2026-11-20", DAY) == (DAY, None)
    assert recordform.session_date("", DAY)[1].startswith("Write the date")
    assert "future" in recordform.session_date("2026-11-21", DAY)[1]


def test_the_number_of_forms_is_bounded():
    assert len(recordform.read_entries(_form(count="100000"))) == recordform.MAX_FORMS
    assert len(recordform.read_entries(_form(count="x"))) == 1


def test_a_no_power_decline_needs_who_can_beside_that_field_in_plain_words():
    base = {"r0.title": "Fix the street lights", "r0.decision": "declined", "r0.decline_reason": "Not ours to fix"}
    entries = recordform.read_entries(_form(count="1", **base, **{"r0.decline_code": "no_power"}))
    assert recordform.validate(entries, "p1", DAY, THEMES) is None
    assert entries[0].errors == {"who_can": "Police say they cannot do this: write who can, like: the local council."}
    entries = recordform.read_entries(_form(count="1", **base, **{"r0.decline_code": "no_power",
                                                                  "r0.who_can": "the local council"}))
    [req] = recordform.validate(entries, "p1", DAY, THEMES)
    assert (req.decline_code, req.who_can) == ("no_power", "the local council")
    entries = recordform.read_entries(_form(count="1", **base, **{"r0.who_can": "the local council"}))
    assert recordform.validate(entries, "p1", DAY, THEMES) is None
    assert "who_can" in entries[0].errors
