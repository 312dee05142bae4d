"""The period a scrutiny report covers (docs/contract.md §8.2): a year (`2026`), a quarter (`2026-Q4`)
or a month (`2026-12`), and the one after it, whose end is when the next report is due."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

FORMS = "a year (2026), a quarter (2026-Q4) or a month (2026-12), from 2000 to 2999"
_FORM = re.compile(r"^(2\d{3})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$", re.ASCII)  # "2٠٢٦" is no year here


class BadPeriod(ValueError):
    """A period that is none of the three forms; the message names them."""


@dataclass(frozen=True)
class ReportPeriod:
    kind: str  # year | quarter | month
    year: int
    number: int  # the quarter (1-4), the month (1-12), or 0 for a year

    @property
    def text(self) -> str:
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        return f"{self.year}-{self.number:02d}" if self.kind == "month" else str(self.year)

    @property
    def first_month(self) -> int:
        return {"year": 1, "quarter": 3 * self.number - 2, "month": self.number}[self.kind]

    @property
    def month_count(self) -> int:
        return {"year": 12, "quarter": 3, "month": 1}[self.kind]

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        """The period's last day (inclusive)."""
        last = self.first_month + self.month_count - 1
        return dt.date(self.year, last, calendar.monthrange(self.year, last)[1])

    def months(self) -> list[str]:
        """Its months as `YYYY-MM`, the trust pulse's periods."""
        return [f"{self.year}-{m:02d}" for m in range(self.first_month, self.first_month + self.month_count)]

    def following(self) -> ReportPeriod:
        last = self.number == {"year": 0, "quarter": 4, "month": 12}[self.kind]
        if self.kind == "year" or last:
            return ReportPeriod(self.kind, self.year + 1, 0 if self.kind == "year" else 1)
        return ReportPeriod(self.kind, self.year, self.number + 1)

    @property
    def next_report_due(self) -> dt.date:
        """The end of the next period: the next report covers it, so it is due then."""
        return self.following().end

    def holds(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def parse_period(text: str) -> ReportPeriod:
    match = _FORM.fullmatch(text.upper())
    if match is None:
        raise BadPeriod(f"{text[:40]!r} is not a period we report on: use {FORMS}")
    year, quarter, month = match.groups()
    if quarter:
        return ReportPeriod("quarter", int(year), int(quarter))
    if month:
        return ReportPeriod("month", int(year), int(month))
    return ReportPeriod("year", int(year), 0)


def month_end(month: str) -> dt.date:
    year, number = (int(p) for p in month.split("-"))
    return dt.date(year, number, calendar.monthrange(year, number)[1])
