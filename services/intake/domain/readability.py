"""A declined recommendation's reason is written for the panel: young people
aged 13 to 18 read it on their page. A reason harder than a school grade of 9
on the Flesch-Kincaid scale is refused with an example of a plainer one.

Very short reasons (fewer than MIN_WORDS words) are not graded: the formula
says little about a handful of words."""

from __future__ import annotations

import textstat

MAX_GRADE = 9.0
MIN_WORDS = 8
PLAIN_EXAMPLE = "We do not have enough officers to visit every week. We will visit once a month instead."


def grade(text: str) -> float | None:
    """The Flesch-Kincaid grade of `text`, or None when it is too short to grade."""
    if textstat.lexicon_count(text) < MIN_WORDS:
        return None
    return float(textstat.flesch_kincaid_grade(text))


def plain_reason(text: str | None) -> str | None:
    """A pydantic validator: the reason itself, or a ValueError in plain words with an example."""
    if not text:
        return text
    g = grade(text)
    if g is not None and g > MAX_GRADE:
        raise ValueError(
            f"is hard for the panel to read (school grade {g:.0f}; write it at grade {MAX_GRADE:.0f} or below): "
            f"use short sentences and everyday words, for example \"{PLAIN_EXAMPLE}\"")
    return text
