"""The register's figures and the forms' errors in Welsh (docs/contract.md §8.4), the English as it was:
pure functions, asked in each language with `speaking`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.i18n import gettext, locale_dir, speaking
from services.common.problems import Problem
from services.tracker.domain.counting import HOW_WE_COUNT, Rate, Rates
from services.tracker.web import registerwords
from services.tracker.web.bodies import ExtensionIn, UpdateIn
from services.tracker.web.forms import form_model

OWN = locale_dir(registerwords.__file__)


def _rates(median: float | None, part: int = 1, whole: int = 2) -> Rates:
    r = Rate(part, whole)
    return Rates(r, r, r, r, r, Rate(0, 0), median, {"no_budget": 2, "something_new": 1}, kept_confirmed=r,
                 kept_unchecked=r, in_principle=r)


def _detail(model, **fields) -> str:
    with pytest.raises(Problem) as caught:
        form_model(model, **fields)
    return caught.value.detail


def test_the_figures_in_english_are_as_they_were():
    words = registerwords.rate_words(_rates(3.0))
    assert words["kept"] == "50% (1 of 2)" and words["reopened"] == "not yet known (none so far)"
    assert words["median_days_overdue"] == "3 days"
    assert registerwords.rate_words(_rates(1.0))["median_days_overdue"] == "1 day"
    assert registerwords.rate_words(_rates(2.5))["median_days_overdue"] == "2.5 days"
    assert registerwords.rate_words(_rates(None))["median_days_overdue"] == "none are late"
    assert words["declines"] == [("No money for it", "no_budget", 2), ("something_new", "something_new", 1)]


@pytest.mark.parametrize("n, welsh", [(0, "0 diwrnod"), (1, "1 diwrnod"), (2, "2 ddiwrnod"), (3, "3 diwrnod"),
                                      (6, "6 diwrnod"), (7, "7 diwrnod")])
def test_the_typical_lateness_in_welsh_takes_each_plural_form(n, welsh):
    with speaking("cy", OWN):
        assert registerwords.rate_words(_rates(float(n)))["median_days_overdue"] == welsh


def test_the_figures_and_how_we_count_in_welsh():
    with speaking("cy", OWN):
        words = registerwords.rate_words(_rates(None))
        assert words["kept"] == "50% (1 o 2)" and words["reopened"] == "ddim yn hysbys eto (dim un hyd yma)"
        assert words["declines"][0][0] == "Dim arian ar ei gyfer"
        assert all(gettext(f.name) != f.name and gettext(f.words) != f.words for f in HOW_WE_COUNT)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_a_rate_keeps_its_numbers_in_either_language(part, whole):
    for lang in ("en", "cy"):
        with speaking(lang, OWN):
            text = registerwords.rate_words(_rates(None, part, whole))["kept"]
            assert f"({part:,} " in text and f" {whole:,})" in text


def test_form_errors_in_english_are_pydantic_words_as_before():
    assert _detail(UpdateIn, note="ok", percent="999") == \
        "How far along it is: Input should be less than or equal to 100."
    assert _detail(UpdateIn, note="") == "What has happened: String should have at least 1 character."
    assert _detail(ExtensionIn, new_due="", reason="x").startswith(
        "The new deadline: Input should be a valid date or datetime, ")


def test_form_errors_in_welsh():
    with speaking("cy", OWN):
        assert _detail(UpdateIn, note="ok", percent="999") == \
            "Pa mor bell mae wedi mynd: Rhowch rif sydd ddim yn fwy na 100."
        assert _detail(UpdateIn, note="") == "Beth sydd wedi digwydd: Ysgrifennwch o leiaf 1 nod."
        assert _detail(UpdateIn, note="ok", percent="x") == "Pa mor bell mae wedi mynd: Rhowch rif cyfan."
        assert _detail(UpdateIn, note="x" * 3000) == "Beth sydd wedi digwydd: Ysgrifennwch ddim mwy na 2000 o nodau."
