"""How the public register counts (contract §5 "Closing the loop"): every rate from plain rows.

One `Row` per recommendation the police answered or must answer; an agreed one
carries its commitment. `/register.csv` publishes exactly these rows, and the
register's "how we count" section gives each formula below in words and in
symbols, so anyone can recompute every figure from the file.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, fields

from services.common.i18n import N_


@dataclass(frozen=True)
class Row:
    recommendation_id: str
    panel: str
    area: str
    raised_on: dt.date
    decision: str  # agreed | declined | in_principle (yes in principle, no promise yet) | pending
    decline_code: str | None
    answered_on: dt.date | None
    respond_by: dt.date | None  # None: answered in the session, with no response clock
    commitment_id: str | None = None
    owner_role: str | None = None
    status: str | None = None
    original_due: dt.date | None = None
    due: dt.date | None = None
    due_moves: int = 0
    done_on: dt.date | None = None
    disputes: int = 0
    reopened: int = 0
    days_overdue: int = 0
    owner_unreachable_since: dt.date | None = None  # the owner's mail fails: a new owner is being found
    decide_by: dt.date | None = None  # in_principle: by then it must be agreed or declined
    kept_by: str | None = None  # a kept commitment: "panel" (the panel confirmed it) or "no_answer" (silence)

    @property
    def answered(self) -> bool:
        return self.decision in ("agreed", "declined")

    def answered_on_time(self, today: dt.date) -> bool | None:
        """None while it still can be: pending and its clock has not run out."""
        if self.answered:
            return self.respond_by is None or (self.answered_on is not None and self.answered_on <= self.respond_by)
        if self.respond_by is not None and self.respond_by < today:
            return False
        return None


# A column added after a release goes after every column that release had, so a reader who counts
# columns still finds each old one where it was (0.3.0 ended with answered_on_time).
ADDED_SINCE_0_3 = ("owner_unreachable_since", "decide_by", "kept_by")
COLUMNS = (tuple(f.name for f in fields(Row) if f.name not in ADDED_SINCE_0_3) + ("answered_on_time",)
           + ADDED_SINCE_0_3)


@dataclass(frozen=True)
class Rate:
    part: int
    whole: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.part / self.whole) if self.whole else None


@dataclass(frozen=True)
class Rates:
    acceptance: Rate
    answered_on_time: Rate
    done_on_time: Rate
    kept: Rate  # both kinds of kept: confirmed by the panel, and not checked by it
    disputed: Rate
    reopened: Rate
    median_days_overdue: float | None
    declines_by_code: dict[str, int]
    kept_confirmed: Rate  # kept, confirmed by the panel
    kept_unchecked: Rate  # kept because the panel did not answer within the confirmation window
    in_principle: Rate  # yes in principle, no promise yet: counted apart, never as agreed


JUDGED = ("kept", "disputed", "lapsed")


def rates(rows: list[Row], today: dt.date) -> Rates:
    commitments = [r for r in rows if r.commitment_id]
    answered = [r for r in rows if r.answered]
    clocked = [r for r in rows if r.answered_on_time(today) is not None]
    marked_done = [c for c in commitments if c.done_on is not None]
    judged = [c for c in commitments if c.status in JUDGED]
    ever_kept = [c for c in commitments if c.status == "kept" or c.reopened]
    late = [c.days_overdue for c in commitments if c.days_overdue > 0]
    return Rates(
        acceptance=Rate(sum(r.decision == "agreed" for r in answered), len(answered)),
        answered_on_time=Rate(sum(bool(r.answered_on_time(today)) for r in clocked), len(clocked)),
        done_on_time=Rate(sum(c.done_on <= c.original_due for c in marked_done), len(marked_done)),
        kept=Rate(sum(c.status == "kept" for c in judged), len(judged)),
        kept_confirmed=Rate(sum(c.status == "kept" and c.kept_by == "panel" for c in judged), len(judged)),
        kept_unchecked=Rate(sum(c.status == "kept" and c.kept_by != "panel" for c in judged), len(judged)),
        disputed=Rate(sum(c.disputes > 0 for c in marked_done), len(marked_done)),
        reopened=Rate(sum(c.reopened > 0 for c in ever_kept), len(ever_kept)),
        median_days_overdue=statistics.median(late) if late else None,
        declines_by_code=dict(sorted(Counter(r.decline_code or "other" for r in rows
                                             if r.decision == "declined").items())),
        in_principle=Rate(sum(r.decision == "in_principle" for r in rows),
                          sum(r.decision in ("agreed", "declined", "in_principle") for r in rows)),
    )


@dataclass(frozen=True)
class Formula:
    name: str  # name and words are catalogue messages, translated where the page shows them
    words: str
    symbols: str  # over the CSV's column names, the same in every language


# The page prints these; tests/integration/tracker/test_register.py recomputes each from the CSV.
HOW_WE_COUNT = (
    Formula(N_("Agreed"), N_("Of the recommendations police have answered, the share they agreed to."),
            "agreed ÷ (agreed + declined)"),
    Formula(N_("Answered on time"),
            N_("Of the recommendations police answered, or should have answered by now, the share answered "
               "in the session or by their respond-by date. One still waiting after its respond-by date counts "
               "as not on time; one still inside its time is not counted yet."),
            "answered_on_time = yes ÷ (answered_on_time = yes + answered_on_time = no)"),
    Formula(N_("Done on time"), N_("Of the promises police said were done, the share done by the date first "
                                   "promised (moving the deadline does not make a late promise on time)."),
            "count(done_on ≤ original_due) ÷ count(done_on is set)"),
    Formula(N_("Kept"), N_("Of the promises the panel has judged or that ran out of time (kept, disputed or "
                           "lapsed), the share that is kept. This counts both kinds of kept: confirmed by the "
                           "panel, and not checked by the panel."),
            "kept ÷ (kept + disputed + lapsed)"),
    Formula(N_("Kept, confirmed by the panel"),
            N_("Of the same promises, the share the panel checked and said were done."),
            "count(status = kept and kept_by = panel) ÷ (kept + disputed + lapsed)"),
    Formula(N_("Kept, not checked by the panel"),
            N_("Of the same promises, the share counted as kept because the panel did not answer in time "
               "when asked to check."),
            "count(status = kept and kept_by ≠ panel) ÷ (kept + disputed + lapsed)"),
    Formula(N_("Disputed"), N_("Of the promises police said were done, the share the panel said were not done, "
                               "at least once."), "count(disputes > 0) ÷ count(done_on is set)"),
    Formula(N_("Reopened"), N_("Of the promises that were kept, the share the panel reopened because it stopped "
                               "working."), "count(reopened > 0) ÷ count(status = kept or reopened > 0)"),
    Formula(N_("Typical lateness"), N_("Half of the promises that are late today are later than this."),
            "median(days_overdue) over rows with days_overdue > 0"),
    Formula(N_("Declined, by reason"), N_("How many recommendations police declined, for each kind of reason."),
            "count(decision = declined) for each decline_code"),
    Formula(N_("Agreed in principle"),
            N_("Of the recommendations police have agreed, declined or said yes to in principle, the share that "
               "is still only yes in principle: no promise yet, so it is not counted as agreed or as answered. "
               "Its respond-by date is its decide-by date: past it, it counts as not answered on time."),
            "in_principle ÷ (agreed + declined + in_principle)"),
)


def csv_cells(row: Row, today: dt.date) -> list[str]:
    """One CSV line's cells. Text that a spreadsheet would run as a formula is quoted off."""
    on_time = row.answered_on_time(today)
    said = "" if on_time is None else ("yes" if on_time else "no")
    return [said if name == "answered_on_time" else _cell(getattr(row, name)) for name in COLUMNS]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
