"""When the trust pulse's public figures move, as a pure rule.

Every page and event shows a copy of a period's counts, not the running counts. The copy moves to the
running counts only once `step` answers have come since it last moved (from none: at the 5th, 10th,
15th answer), so two readings of the figures, before and after any answer, differ by at least `step`
answers or not at all: a change never isolates one young person's answer. A period that ends between
steps keeps its last copy; the answers since are counted but never shown."""

from __future__ import annotations

from schemas.models import PULSE_MIN_ANSWERS


def moves(answers: int, shown: int, step: int = PULSE_MIN_ANSWERS) -> bool:
    """Does the shown copy, made from `shown` answers, move now that the period has `answers`?"""
    return answers - shown >= step

