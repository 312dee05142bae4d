"""Plays someone who watches the trust pulse from outside, to find out how one young person answered.

The observer sees, after every answer, what anyone can see: the figures on the pages (a mean trust
with one decimal, a "said yes" percent, and how many answers they are made from) and the counts on
`pulse.recorded`. Figures always cover a period's first answers, so when they move from covering
`c0` to `c1` answers the change is made of answers c0+1..c1. For each answer the observer keeps the
(trust, kept) values that fit every change that covered it; an answer is deduced when one value is
left. Each figure is read the way the page makes it (`f"{mean:.1f}"`, `round(100 * yes / n)`), so the
observer knows the formulas as well as the pages do."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

TRUST = (1, 2, 3, 4, 5)
KEPT = ("yes", "no", "not_sure")
EVERY_ANSWER = frozenset((t, k) for t in TRUST for k in KEPT)
Answer = tuple[int, str]


class Observation(Protocol):
    counted: int  # how many of the period's first answers the figures are made from

    def fits(self, earlier: Observation, answer: Answer) -> bool:
        """Could `answer` be one of the answers that moved the figures from `earlier` to these?"""


@dataclass(frozen=True)
class Counts:
    """What `pulse.recorded` shows: exact counts per trust value and per kept answer."""

    counted: int
    trust: tuple[int, ...] = (0, 0, 0, 0, 0)
    kept: tuple[int, int, int] = (0, 0, 0)

    @classmethod
    def of_event(cls, data: dict) -> Counts:
        if data.get("trust") is None:
            return cls(counted=0)
        return cls(counted=sum(data["trust"]), trust=tuple(data["trust"]),
                   kept=tuple(data["kept"][k] for k in KEPT))  # type: ignore[arg-type]

    def fits(self, earlier: Observation, answer: Answer) -> bool:
        assert isinstance(earlier, Counts)
        trust = [a - b for a, b in zip(self.trust, earlier.trust, strict=True)]
        kept = [a - b for a, b in zip(self.kept, earlier.kept, strict=True)]
        return trust[answer[0] - 1] >= 1 and kept[KEPT.index(answer[1])] >= 1


@dataclass(frozen=True)
class Figures:
    """What a page shows: the mean trust to one decimal and the percent who said yes."""

    counted: int
    mean: str = ""
    yes_percent: int = 0

    def sums(self) -> set[int]:
        n = self.counted
        return {s for s in range(n, 5 * n + 1) if f"{s / n:.1f}" == self.mean} if n else {0}

    def yeses(self) -> set[int]:
        n = self.counted
        return {y for y in range(n + 1) if round(100 * y / n) == self.yes_percent} if n else {0}

    def fits(self, earlier: Observation, answer: Answer) -> bool:
        assert isinstance(earlier, Figures)
        others = self.counted - earlier.counted - 1  # the other answers in the same change
        trust, yes = answer[0], int(answer[1] == "yes")
        return (any(others <= s1 - s0 - trust <= 5 * others for s0 in earlier.sums() for s1 in self.sums())
                and any(0 <= y1 - y0 - yes <= others for y0 in earlier.yeses() for y1 in self.yeses()))


LINE = re.compile(r"(?P<label>[A-Z][a-z]+ \d{4}): trust is (?P<mean>\d\.\d) out of 5\. (?P<yes>\d+)% said police kept "
                  r"their promises\. \((?:the first )?(?P<counted>\d+)(?: of \d+)? answers\.\)")


def figures_on(html: str, label: str) -> Figures:
    """The figures a page shows for the month `label` ("November 2026"); none yet is 0 answers."""
    for m in LINE.finditer(html):
        if m["label"] == label:
            return Figures(counted=int(m["counted"]), mean=m["mean"], yes_percent=int(m["yes"]))
    return Figures(counted=0)


def change_covering(seen: list[Observation], i: int) -> tuple[int, int] | None:
    """(before, after): the readings between which the figures came to cover answer `i` (1-based), or
    None if they never did. `seen[t]` was read after t answers (`seen[0]` before any)."""
    assert all(o.counted <= t for t, o in enumerate(seen)), "figures cover answers not given yet"
    after = next((t for t, o in enumerate(seen) if o.counted >= i), None)
    return None if after is None else (after - 1, after)


def candidates(seen: list[Observation], i: int) -> frozenset[Answer]:
    """The values answer `i` can have, given one channel's readings."""
    change = change_covering(seen, i)
    if change is None:
        return EVERY_ANSWER  # never shown
    before, after = change
    return frozenset(a for a in EVERY_ANSWER if seen[after].fits(seen[before], a))


def deduced(channels: dict[str, list[Observation]], answers: list[Answer]) -> dict[int, Answer]:
    """The answers (1-based position: value) the observer pins down from all channels together."""
    found = {}
    for i, truth in enumerate(answers, 1):
        left = frozenset.intersection(*(candidates(seen, i) for seen in channels.values()))
        assert truth in left, f"the observer's reasoning is wrong about answer {i}"
        if len(left) == 1:
            found[i] = truth
    return found
