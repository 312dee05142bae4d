"""The public register's figures in words (contract §5): promises by owner role and area, the late
ones, and each rate with its fraction. The rates themselves are counted in domain/counting.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from services.common.i18n import N_, gettext, ngettext, number
from services.tracker.adapters.publish import days_overdue
from services.tracker.domain.counting import Rates

REGISTER_PAGE = 100  # late promises listed per page of the register


@dataclass
class Register:
    rows: list[dict]
    overdue: list[dict]
    no_owner: list[dict]  # promises whose owner can't be reached, longest first


def register(commitments: list[Any], areas: dict[str, str], today: dt.date) -> Register:
    """Promises by owner role and area, and the late ones, latest first (the rates are domain/counting.py)."""
    groups: dict[tuple[str, str], dict] = {}
    for c in commitments:
        g = groups.setdefault((c.owner_role, areas.get(c.panel, c.panel)), {"total": 0, "overdue": 0, "kept": 0,
                                                                                      "unchecked": 0})
        g["total"] += 1
        g["overdue"] += days_overdue(c, today) > 0
        g["kept"] += c.status == "kept" and getattr(c, "kept_by", None) != "no_answer"
        g["unchecked"] += c.status == "kept" and getattr(c, "kept_by", None) == "no_answer"
    return Register(
        rows=[{"role": r, "area": a, **g} for (r, a), g in sorted(groups.items(), key=lambda kv: -kv[1]["overdue"])],
        overdue=sorted(({"role": c.owner_role, "area": areas.get(c.panel, c.panel), "action": c.action,
                         "days": days_overdue(c, today), "panel": c.panel} for c in commitments
                        if days_overdue(c, today) > 0), key=lambda d: -d["days"]),
        no_owner=sorted(({"role": c.owner_role, "area": areas.get(c.panel, c.panel), "action": c.action,
                          "since": c.owner_unreachable_since, "panel": c.panel} for c in commitments
                         if getattr(c, "owner_unreachable_since", None)), key=lambda d: d["since"]),
    )


DECLINE_WORDS = {"no_power": N_("Police do not have the power"), "no_budget": N_("No money for it"),
                 "legal_or_safety": N_("The law or safety stops it"), "not_workable": N_("It would not work"),
                 "other": N_("Another reason")}


def rate_words(r: Rates) -> dict:
    """Each figure of the register in words, in the visitor's language; `_pct` gives the percentage with
    its fraction."""
    return {
        "acceptance": _pct(r.acceptance.part, r.acceptance.whole),
        "answered_on_time": _pct(r.answered_on_time.part, r.answered_on_time.whole),
        "done_on_time": _pct(r.done_on_time.part, r.done_on_time.whole),
        "kept": _pct(r.kept.part, r.kept.whole),
        "kept_confirmed": _pct(r.kept_confirmed.part, r.kept_confirmed.whole),
        "kept_unchecked": _pct(r.kept_unchecked.part, r.kept_unchecked.whole),
        "disputed": _pct(r.disputed.part, r.disputed.whole),
        "reopened": _pct(r.reopened.part, r.reopened.whole),
        "median_days_overdue": _median(r.median_days_overdue),
        "declines": [(gettext(DECLINE_WORDS[code]) if code in DECLINE_WORDS else code, code, n)
                     for code, n in r.declines_by_code.items()],
        "in_principle": _pct(r.in_principle.part, r.in_principle.whole),
    }


def _median(days: float | None) -> str:
    if days is None:
        return gettext("none are late")
    if days == int(days):
        return ngettext("%(num)d day", "%(num)d days", int(days)) % {"num": int(days)}
    return gettext("%(days)s days") % {"days": number(days)}  # a half day: the median of an even count


def _pct(part: int, whole: int) -> str:
    if not whole:
        return gettext("not yet known (none so far)")
    return gettext("%(percent)s%% (%(part)s of %(whole)s)") % {
        "percent": number(round(100 * part / whole)), "part": number(part), "whole": number(whole)}
