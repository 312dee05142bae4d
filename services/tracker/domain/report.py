"""The figures of the scrutiny report (docs/contract.md §8.2), from the register's rows (counting.py)
and what the tracker recorded: pure, so the recompute test and the page share one definition.

The report's recommendations are those raised in the period, with their state on the day the data is
as of; re-datings and board escalations are those that happened in the period; the monthly series
count each month of the period up to that day. Every rate uses counting.rates, the register's formulas.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from services.common.i18n import N_
from services.tracker.domain.counting import Formula, Rate, Rates, Row, rates
from services.tracker.domain.reportperiod import ReportPeriod, month_end

NO_THEME = "none"
ADDRESS = re.compile(r"[^\s<>()\[\]@,;:\"']+@[^\s<>()\[\]@,;:\"']+")


@dataclass(frozen=True)
class Redating:
    """A deadline moved by the owner (within their limit) or with the supervisor's approval."""

    commitment_id: str
    panel: str
    area: str
    owner_role: str
    on: dt.date
    old: dt.date
    new: dt.date
    reason: str
    approver: str  # owner | supervisor
    action: str = ""  # what was promised, as written


@dataclass(frozen=True)
class BoardNotice:
    """A step of the ladder that told the board: the top escalation, for a promise this late."""

    commitment_id: str
    panel: str
    area: str
    owner_role: str
    on: dt.date
    kind: str
    level: int
    action: str = ""


@dataclass(frozen=True)
class PulseMonth:
    """One month's published trust pulse (shown counts only): how many counted, the mean trust (1-5)
    and how many said police kept their promises."""

    counted: int
    trust_total: int
    kept_yes: int

    @property
    def mean_trust(self) -> float | None:
        return round(self.trust_total / self.counted, 1) if self.counted else None

    @property
    def kept_yes_share(self) -> Rate:
        return Rate(self.kept_yes, self.counted)


@dataclass(frozen=True)
class Tally:
    """One line of the tables by theme and by panel, and the whole report's line."""

    key: str
    raised: int
    rates: Rates
    median_days_to_answer: float | None
    agreed: int
    in_principle: int
    declined: int
    kept_confirmed: int
    kept_unchecked: int
    in_progress: int
    late: int
    lapsed: int
    withdrawn: int
    disputed: int
    reopened: int
    kept_confirmed_rate: Rate


@dataclass(frozen=True)
class MonthLine:
    month: str
    kept: Rate  # of the commitments first due that month
    pulse: PulseMonth | None
    overdue: Rate  # at the month's end (or the data's day, in the current month)
    answered_on_time: Rate  # of the recommendations raised that month


@dataclass(frozen=True)
class Report:
    period: ReportPeriod
    today: dt.date  # the data is as of this day
    panel: str | None
    area: str | None
    rows: list[Row]  # raised in the period: every count below is over these
    total: Tally
    by_theme: list[Tally]
    by_panel: list[Tally]
    redated: list[Redating]
    board: list[BoardNotice]
    no_closing_date: list[Row]
    months: list[MonthLine]
    so_far: list[Row] = field(default_factory=list)  # every row of these panels: the monthly series count them
    redated_so_far: list[Redating] = field(default_factory=list)  # and every re-dating, for each month's deadline
    themes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def next_report_due(self) -> dt.date:
        return self.period.next_report_due


def build(period: ReportPeriod, today: dt.date, rows: list[Row], themes: dict[str, tuple[str, ...]],
          redatings: list[Redating], board: list[BoardNotice], pulse: dict[str, PulseMonth],
          panel: str | None = None, area: str | None = None) -> Report:
    """`rows`, `redatings` (every one so far: the overdue series needs each month's deadline) and
    `pulse` are already narrowed to the panel or area asked for."""
    cohort = [r for r in rows if period.holds(r.raised_on)]
    redatings = sorted((replace(d, reason=without_addresses(d.reason), owner_role=without_addresses(d.owner_role),
                                action=without_addresses(d.action)) for d in redatings),
                       key=lambda d: (d.on, d.commitment_id))
    return Report(
        period=period, today=today, panel=panel, area=area, rows=cohort, so_far=rows, themes=themes,
        total=tally("all", cohort, today),
        by_theme=[tally(k, v, today) for k, v in _grouped(cohort, lambda r: themes.get(r.recommendation_id))],
        by_panel=[tally(k, v, today) for k, v in _grouped(cohort, lambda r: (r.panel,))],
        redated=[d for d in redatings if period.holds(d.on)], redated_so_far=redatings,
        board=sorted((replace(b, owner_role=without_addresses(b.owner_role), action=without_addresses(b.action))
                      for b in board if period.holds(b.on)), key=lambda b: (b.on, b.commitment_id)),
        no_closing_date=[r for r in cohort if closing_date(r) is None and is_open(r)],
        months=month_lines(period, today, rows, redatings, pulse))


def without_addresses(text: str) -> str:
    """Words people wrote, as written, but never an email address: the report is public (§1)."""
    return ADDRESS.sub("[address removed]", text)


def _grouped(rows: list[Row], keys) -> list[tuple[str, list[Row]]]:
    groups: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        for k in keys(r) or (NO_THEME,):
            groups[k].append(r)
    return sorted(groups.items())


def tally(key: str, rows: list[Row], today: dt.date) -> Tally:
    commitments = [r for r in rows if r.commitment_id]
    status = Counter(state(c, today) for c in commitments)
    waits = [(r.answered_on - r.raised_on).days for r in rows if r.answered and r.answered_on]
    judged = status["kept_confirmed"] + status["kept_unchecked"] + status["disputed"] + status["lapsed"]
    return Tally(
        key=key, raised=len(rows), rates=rates(rows, today),
        median_days_to_answer=statistics.median(waits) if waits else None,
        agreed=sum(r.decision == "agreed" for r in rows), in_principle=sum(r.decision == "in_principle" for r in rows),
        declined=sum(r.decision == "declined" for r in rows),
        kept_confirmed=status["kept_confirmed"], kept_unchecked=status["kept_unchecked"],
        in_progress=status["in_progress"], late=status["late"], lapsed=status["lapsed"],
        withdrawn=status["withdrawn"], disputed=status["disputed"],
        reopened=sum(c.reopened > 0 for c in commitments), kept_confirmed_rate=Rate(status["kept_confirmed"], judged))


def state(c: Row, today: dt.date) -> str:
    """The one column of the report's status table a commitment is counted in (reopened is counted
    apart, beside it)."""
    if c.status == "kept":
        # Kept by silence is never counted as checked; one kept before who kept it was recorded is unchecked too.
        return "kept_confirmed" if c.kept_by == "panel" else "kept_unchecked"
    if c.status in ("lapsed", "withdrawn", "disputed"):
        return c.status
    return "late" if c.days_overdue > 0 else "in_progress"


def is_open(r: Row) -> bool:
    if r.commitment_id:
        return r.status not in ("kept", "withdrawn")
    return r.decision in ("pending", "in_principle")


def closing_date(r: Row) -> dt.date | None:
    """When an open item must be closed by: its due date, its respond-by date, or its decide-by date."""
    if r.commitment_id:
        return r.due
    return r.decide_by if r.decision == "in_principle" else r.respond_by


def month_lines(period: ReportPeriod, today: dt.date, rows: list[Row], redatings: list[Redating],
                pulse: dict[str, PulseMonth]) -> list[MonthLine]:
    moves = defaultdict(list)
    for d in sorted(redatings, key=lambda d: d.on):
        moves[d.commitment_id].append(d)
    first_due, raised = defaultdict(list), defaultdict(list)  # by month, grouped once: a year has 12
    for r in rows:
        raised[_month(r.raised_on)].append(r)
        if r.commitment_id and r.original_due:
            first_due[_month(r.original_due)].append(r)
    lines = []
    for month in period.months():
        if month > _month(today):
            break
        day = min(month_end(month), today)
        lines.append(MonthLine(month=month, kept=rates(first_due[month], today).kept, pulse=pulse.get(month),
                               overdue=overdue_share(rows, moves, day),
                               answered_on_time=rates(raised[month], today).answered_on_time))
    return lines


def _month(day: dt.date) -> str:
    return "%04d-%02d" % (day.year, day.month)


def open_on(r: Row, day: dt.date) -> bool:
    """A promise being worked on at the end of `day`: agreed by then, not withdrawn, not yet marked done."""
    agreed = r.answered_on or r.raised_on
    return (bool(r.commitment_id) and r.status != "withdrawn" and agreed <= day
            and (r.done_on is None or r.done_on > day))


def due_on(r: Row, moves: dict[str, list[Redating]], day: dt.date) -> dt.date:
    """The deadline in force at the end of `day`: the first one, moved by each re-dating made by then."""
    due = r.original_due or r.due
    for d in moves.get(r.commitment_id or "", ()):
        if d.on <= day:
            due = d.new
    return due  # type: ignore[return-value]


def overdue_share(rows: list[Row], moves: dict[str, list[Redating]], day: dt.date) -> Rate:
    working = [r for r in rows if open_on(r, day)]
    return Rate(sum(due_on(r, moves, day) < day for r in working), len(working))


# The report's own figures, beside counting.HOW_WE_COUNT; symbols over the CSV's tables and columns.
REPORT_FORMULAS = (
    Formula(N_("Raised"), N_("Recommendations the panel raised in the period."),
            "count(rows) where raised_on is in the period"),
    Formula(N_("Median days to answer"), N_("Half of the answered recommendations were answered faster than this."),
            "median(answered_on − raised_on) over rows with decision = agreed or declined"),
    Formula(N_("Kept, confirmed by the panel"), N_("Promises kept that the panel checked and said were done."),
            "count(status = kept and kept_by = panel)"),
    Formula(N_("Kept, not checked by the panel"),
            N_("Promises counted as kept because the panel did not answer in time: no one checked them."),
            "count(status = kept and kept_by ≠ panel)"),
    Formula(N_("Kept, confirmed, as a share"), N_("Of the promises that are kept, disputed or lapsed, the share the "
                                                  "panel checked and said were kept."),
            "count(status = kept and kept_by = panel) ÷ (kept + disputed + lapsed)"),
    Formula(N_("Late"), N_("Promises still being worked on after their deadline."),
            "count(status = open or in_progress, and days_overdue > 0)"),
    Formula(N_("In progress"), N_("Promises being worked on, or marked done and waiting for the panel, not late."),
            "count(status = open, in_progress or done, and days_overdue = 0)"),
    Formula(N_("Share overdue at a month's end"),
            N_("Of the promises agreed by then and not yet marked done (leaving out withdrawn ones), the share "
               "past the deadline in force that day: the first deadline, moved by each re-dating made by then."),
            "count(due then < day) ÷ count(answered_on ≤ day and (done_on empty or done_on > day))"),
    Formula(N_("Kept rate by month"), N_("The kept rate of the promises first due in that month."),
            "kept ÷ (kept + disputed + lapsed) over rows with original_due in the month"),
    Formula(N_("Reached the board"), N_("Each time the ladder's top step told the board a promise was very late."),
            "count(board rows) with on in the period"),
)
