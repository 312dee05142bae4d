"""A decline reason is written for the panel: above grade 9 it is refused, with a plainer
example, by the API's models and the CSV import alike; very short reasons are not graded."""

from __future__ import annotations

import pytest
import textstat
from pydantic import ValidationError

from services.intake.domain.readability import MAX_GRADE, PLAIN_EXAMPLE, grade, plain_reason
from services.intake.domain.submissions import DecisionIn, RecommendationIn
from services.intake.usecases import csvimport

HARD = ("The operational requirements of the neighbourhood policing directorate preclude implementation "
        "of weekly engagement visitations within existing resourcing constraints.")
PLAIN = "Not enough officers for weekly visits; we offered monthly visits instead."  # the demo's, grade 8.8


def test_the_example_is_itself_plain_and_the_hard_reason_is_hard():
    assert textstat.flesch_kincaid_grade(PLAIN_EXAMPLE) <= 7
    assert grade(HARD) > MAX_GRADE
    assert grade(PLAIN) <= MAX_GRADE


def test_short_reasons_are_not_graded():
    assert grade("Unaffordable institutional reorganisation.") is None
    assert plain_reason("Unaffordable institutional reorganisation.") == "Unaffordable institutional reorganisation."


def test_a_hard_reason_is_refused_with_a_plain_example():
    with pytest.raises(ValueError) as exc:
        plain_reason(HARD)
    assert PLAIN_EXAMPLE in str(exc.value) and "grade" in str(exc.value)


def _declined(reason: str) -> dict:
    return {"panel": "p", "raised_on": "2026-01-14", "title": "Visit every week", "decision": "declined",
            "decline_reason": reason}


def test_the_api_models_refuse_it_naming_decline_reason():
    for model, body in ((RecommendationIn, _declined(HARD)), (DecisionIn, {"decision": "declined",
                                                                           "decline_reason": HARD})):
        with pytest.raises(ValidationError) as exc:
            model.model_validate(body)
        (error,) = exc.value.errors()
        assert error["loc"] == ("decline_reason",) and PLAIN_EXAMPLE in error["msg"]
    assert RecommendationIn.model_validate(_declined(PLAIN)).decline_reason == PLAIN


def test_the_csv_import_refuses_it_with_the_row():
    text = csvimport.template() + f"p,2026-01-14,Visit every week,,,declined,\"{HARD}\",,,,,,,,,,,,\n"
    with pytest.raises(csvimport.CsvRejected) as exc:
        csvimport.parse(text, ("trust",))
    (error,) = exc.value.errors
    assert error["row"] == 2 and error["field"] == "decline_reason" and PLAIN_EXAMPLE in error["message"]
