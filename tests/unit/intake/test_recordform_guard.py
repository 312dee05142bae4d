"""The record form refuses an owner's role carrying contact details, beside that field."""

from __future__ import annotations

import datetime as dt

from starlette.datastructures import FormData

from services.intake.web import recordform

ROLE = "Inspector (or text Jay, 15, on 07911 123456 / jay@gmail.com)"


def test_the_record_form_shows_the_refusal_beside_the_role():
    form = FormData([("r0.title", "Tell us why you stop us"), ("r0.decision", "agreed"),
                     ("r0.commitment.action", "Brief officers"), ("r0.commitment.done_means", "All briefed"),
                     ("r0.commitment.owner.role", ROLE), ("r0.commitment.owner.email", "insp@example.org"),
                     ("r0.commitment.due", "2027-01-31")])
    entries = recordform.read_entries(form)
    assert recordform.validate(entries, "p1", dt.date(2026, 11, 20), ("respect",)) is None, "the form was accepted"
    assert list(entries[0].errors) == ["commitment.owner.role"]
    assert "contact details" in entries[0].errors["commitment.owner.role"]
