"""The escalation policy (contract §4): a validated contract that intake and the
tracker both read from the same YAML file (`FOLLOWTHROUGH_POLICY_FILE`)
through this module. The tracker copies a panel's policy onto each
commitment when it is agreed, so later edits change only new commitments;
intake takes from it the defaults it fills in (update cadence, response
clock) and the theme list."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Literal

import holidays
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from schemas.models import DEFAULT_THEMES


class Policy(BaseModel):
    # Unlike the events, the policy stays strict: it is configuration a person writes, and a misspelt
    # key ignored would quietly change who is chased and when. A key a new release adds goes into the
    # file only once every replica runs that release (docs/upgrading.md).
    model_config = ConfigDict(extra="forbid", frozen=True)

    reminder_days_before: tuple[int, ...] = Field(default=(14, 3),
                                                  description="reminders to the owner, days before due")
    update_every_days: int = Field(default=30, ge=1, le=365, description="silence after which the owner is nudged")
    escalate_after_days: tuple[int, int] = Field(default=(14, 28), description="days overdue for levels 2 and 3")
    review_after_months: int = Field(default=6, ge=1, le=60)
    confirm_within_days: int = Field(default=28, ge=1, le=365)
    respond_within_days: int = Field(default=56, ge=1, le=365)
    response_second_level_after_days: int = Field(default=14, ge=1, le=365)
    extension_limit_days: int = Field(default=90, ge=0, le=3650,
                                      description="how far past the first due date the owner may move it alone; "
                                                  "later dates need the supervisor's approval")
    sustain_check_weeks: int = Field(default=12, ge=1, le=260,
                                     description="weeks after a promise is kept before the panel's page asks "
                                                 "\"still working?\"")
    reopen_window_weeks: int = Field(default=26, ge=1, le=520,
                                     description="weeks after a promise is kept during which the panel may reopen "
                                                 "it; at least sustain_check_weeks")
    day_count: Literal["calendar", "working"] = "calendar"
    themes: tuple[str, ...] = DEFAULT_THEMES

    @model_validator(mode="after")
    def _ordered(self) -> "Policy":
        lvl2, lvl3 = self.escalate_after_days
        if not 0 < lvl2 < lvl3:
            raise ValueError("escalate_after_days must be two increasing positive numbers, e.g. [14, 28]")
        if any(d <= 0 for d in self.reminder_days_before):
            raise ValueError("reminder_days_before must be positive numbers of days, e.g. [14, 3]")
        if self.reopen_window_weeks < self.sustain_check_weeks:
            raise ValueError("reopen_window_weeks must be at least sustain_check_weeks, or the panel could never "
                             "answer \"still working?\"; e.g. 12 and 26")
        return self

    def add_days(self, start: dt.date, days: int) -> dt.date:
        """Calendar days, or working days (England and Wales bank holidays skipped). Stops at the
        calendar's ends rather than raising: a far date from an event must not stop the scan."""
        edge = dt.date.max if days >= 0 else dt.date.min
        try:
            if self.day_count == "calendar":
                return start + dt.timedelta(days=days)
            step = 1 if days >= 0 else -1
            day, left = start, abs(days)
            while left:
                day += dt.timedelta(days=step)
                if _is_working_day(day):
                    left -= 1
            return day
        except OverflowError:
            return edge


def _is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


@lru_cache(maxsize=32)
def _bank_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


class PolicyFile(BaseModel):
    """`default:` plus optional `panels: {slug: {...}}` overrides."""

    model_config = ConfigDict(extra="forbid")

    default: Policy = Policy()
    panels: dict[str, dict] = {}

    def themes(self) -> tuple[str, ...]:
        """The default themes plus any the file adds (contract §5: the list a policy file may extend)."""
        extra = [t for t in self.default.themes if t not in DEFAULT_THEMES]
        return DEFAULT_THEMES + tuple(extra)

    def for_panel(self, slug: str) -> Policy:
        override = self.panels.get(slug)
        if not override:
            return self.default
        return Policy.model_validate({**self.default.model_dump(), **override})


class PolicyError(ValueError):
    """The policy file is unreadable or invalid; the message names the field."""


def load_policy_file(path: str | Path | None) -> PolicyFile:
    if not path:
        return PolicyFile()
    try:
        doc = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"cannot read policy file {path}: {exc}") from None
    try:
        pf = PolicyFile.model_validate(doc)
        for slug in pf.panels:
            pf.for_panel(slug)
        return pf
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise PolicyError(f"policy file {path}: {where}: {err['msg']}") from None
