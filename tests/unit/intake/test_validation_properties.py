"""Property tests of intake's validation rules."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas.models import DEFAULT_THEMES
from services.common.guard import contact_details_in
from services.intake.domain.submissions import RecommendationIn

dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))
SAFE_WORDS = st.sampled_from(["officers", "should", "explain", "stops", "to", "young", "people", "in", "schools",
                              "every", "month", "training", "respect", "the", "panel", "asked", "for", "more"])
safe_text = st.lists(SAFE_WORDS, min_size=1, max_size=15).map(" ".join)


def body(raised_on: dt.date, due: dt.date, themes: list[str], title: str = "Explain stops") -> dict:
    return {"panel": "p", "raised_on": raised_on.isoformat(), "title": title, "themes": themes,
            "decision": "agreed",
            "commitment": {"action": "a", "done_means": "d", "owner": {"role": "r", "email": "o@example.org"},
                           "due": due.isoformat()}}


@settings(max_examples=200)
@given(raised_on=dates, due=dates)
def test_due_before_raised_on_is_always_refused_and_never_otherwise(raised_on, due):
    problems = RecommendationIn.model_validate(body(raised_on, due, [])).problems(DEFAULT_THEMES)
    assert ("commitment.due" in [p["field"] for p in problems]) == (due < raised_on)


@settings(max_examples=200)
@given(themes=st.lists(st.one_of(st.sampled_from(DEFAULT_THEMES),
                                 st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1,
                                         max_size=12).filter(lambda t: not contact_details_in(t))), max_size=5))
def test_unknown_themes_are_named_by_position(themes):
    problems = RecommendationIn.model_validate(body(dt.date(2026, 1, 1), dt.date(2026, 2, 1), themes)).problems(
        DEFAULT_THEMES)
    flagged = {p["field"] for p in problems}
    assert flagged == {f"themes.{i}" for i, t in enumerate(themes) if t not in DEFAULT_THEMES}


@settings(max_examples=200)
@given(before=safe_text, after=safe_text, number=st.from_regex(r"07[0-9]{3} [0-9]{6}", fullmatch=True))
def test_a_mobile_number_anywhere_in_the_title_is_refused(before, after, number):
    title = f"{before} {number} {after}"[:200]
    assert "a phone number" in contact_details_in(title)
    try:
        RecommendationIn.model_validate(body(dt.date(2026, 1, 1), dt.date(2026, 2, 1), [], title=title))
    except ValidationError as exc:
        assert exc.errors()[0]["loc"] == ("title",)
    else:
        raise AssertionError("a title with a phone number was accepted")


@settings(max_examples=200)
@given(text=safe_text)
def test_plain_words_are_never_refused(text):
    assert contact_details_in(text) == []
