"""Every date a request names stays within ten years of today: the API's models, the CSV
import, the record form's session date, the respond page's new deadline and the session pack's
"since". A far date used to get through and break later (a 500, a parked scan row, a calendar
that answered 500 for good)."""

from __future__ import annotations

import datetime as dt
import inspect
import typing

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from services.common.clock import london_today
from services.common.problems import Problem
from services.intake.domain import submissions as intake_requests
from services.intake.domain.submissions import CommitmentIn, RecommendationIn
from services.intake.usecases import csvimport
from services.intake.web import recordform
from services.tracker.web import bodies as tracker_requests
from services.tracker.web.bodies import ExtensionIn
from services.tracker.web.forms import form_model

FAR = "9999-12-31"
THEMES = ("respect", "other")


def _recommendation(**over) -> dict:
    today = london_today()
    doc = {"panel": "p1", "raised_on": today.isoformat(), "title": "Explain stops", "decision": "agreed",
           "commitment": {"action": "Brief officers", "done_means": "All briefed",
                          "owner": {"role": "Inspector", "email": "insp@example.org"},
                          "due": (today + dt.timedelta(days=40)).isoformat()}}
    for path, value in over.items():
        *parents, leaf = path.split(".")
        target = doc
        for p in parents:
            target = target[p]
        target[leaf] = value
    return doc


@pytest.mark.parametrize("field", ["raised_on", "commitment.due", "commitment.agreed_on"])
@pytest.mark.parametrize("day", [FAR, "0001-01-01"])
def test_the_intake_api_refuses_a_far_date_naming_the_field_and_the_bound(field, day):
    with pytest.raises(ValidationError) as caught:
        RecommendationIn.model_validate(_recommendation(**{field: day}))
    (error,) = [e for e in caught.value.errors() if ".".join(map(str, e["loc"])) == field]
    assert "10 years" in error["msg"] and "use a date between" in error["msg"]


def test_the_owner_cannot_ask_for_a_far_deadline():
    with pytest.raises(ValidationError, match="10 years"):
        ExtensionIn.model_validate({"new_due": FAR, "reason": "Later"})


def test_the_respond_form_asking_for_9999_12_31_is_refused_in_words():
    with pytest.raises(Problem) as caught:
        form_model(ExtensionIn, new_due=FAR, reason="Much later")
    assert caught.value.status == 422
    assert caught.value.detail.startswith("The new deadline: ") and "10 years" in caught.value.detail


def test_the_csv_import_names_the_row_and_column_of_a_far_date():
    today = london_today().isoformat()
    text = ("panel,raised_on,title,decision,commitment.action,commitment.done_means,commitment.owner.role,"
            f"commitment.owner.email,commitment.due\np1,{today},Explain,agreed,Brief,All briefed,Inspector,"
            f"i@example.org,{FAR}\n")
    with pytest.raises(csvimport.CsvRejected) as caught:
        csvimport.parse(text, THEMES)
    assert [(e["row"], e["field"]) for e in caught.value.errors] == [(2, "commitment.due")]
    assert "10 years" in caught.value.errors[0]["message"]


def test_the_record_form_refuses_a_session_long_ago_and_a_far_deadline_in_plain_words():
    today = london_today()
    day, error = recordform.session_date("1900-01-01", today)
    assert day is None and error and "10 years" in error
    entries = recordform.read_entries(recordform_form(today))
    assert recordform.validate(entries, "p1", today, THEMES) is None
    assert "10 years" in entries[0].errors["commitment.due"]


def recordform_form(today: dt.date):
    from starlette.datastructures import FormData
    return FormData([("count", "1"), ("r0.title", "Explain"), ("r0.decision", "agreed"),
                     ("r0.commitment.action", "Brief"), ("r0.commitment.done_means", "All briefed"),
                     ("r0.commitment.owner.role", "Inspector"), ("r0.commitment.owner.email", "i@example.org"),
                     ("r0.commitment.due", FAR)])


@given(st.dates())
def test_a_date_is_accepted_exactly_when_it_is_within_ten_years_of_today(day):
    from services.common.dates import SPAN

    try:
        ExtensionIn.model_validate({"new_due": day.isoformat(), "reason": "x"})
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == (abs(day - london_today()) <= SPAN)


def _date_fields(model: type[BaseModel], prefix: str = ""):
    for name, info in model.model_fields.items():
        ann = info.annotation
        args = typing.get_args(ann) or (ann,)
        if dt.date in args:
            yield f"{prefix}{name}", info
        for arg in args:
            if inspect.isclass(arg) and issubclass(arg, BaseModel):
                yield from _date_fields(arg, f"{prefix}{name}.")


def test_every_date_field_of_every_request_model_is_bounded():
    """The rest of the class: a new request model with a plain date field fails here."""
    models = [m for module in (intake_requests, tracker_requests)
              for _, m in inspect.getmembers(module, inspect.isclass)
              if issubclass(m, BaseModel) and m.__module__ == module.__name__ and m.__name__.endswith("In")]
    assert CommitmentIn in models and ExtensionIn in models
    unbounded = [f"{m.__name__}.{name}" for m in models for name, info in _date_fields(m)
                 if not any(getattr(v, "func", None) is not None and "dates" in v.func.__module__
                            for v in info.metadata)]
    assert unbounded == []
