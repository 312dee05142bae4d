"""Rows to what the pages show: plain words, no email addresses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from markupsafe import escape

from services.common import i18n
from services.common.i18n import N_, _, language, ngettext, short_date
from services.tracker.adapters import convert
from services.tracker.adapters.publish import days_overdue, next_update_by_of
from services.tracker.domain import reopen_window, still_working_asked
from services.tracker.domain.model import DELAYED
from services.tracker.domain.rules import NOTICES
from services.tracker.usecases.panelview import CommitmentRow, RecommendationRow, TimelineRow

# Status in words a 13-year-old reads easily; never colour alone.
STATUS_WORDS = {
    "open": (N_("Not started yet"), "open"),
    "in_progress": (N_("Being worked on"), "progress"),
    "done": (N_("Police say it is done: please check"), "check"),
    "kept": (N_("Done, and checked"), "kept"),
    "disputed": (N_("You said it is not done"), "disputed"),
    "withdrawn": (N_("Dropped"), "dropped"),
    "lapsed": (N_("Promise broken: very late"), "late"),
}
# A kept promise says how it became kept (contract §5): the panel's check, or no answer in time.
KEPT_WORDS = {"panel": (N_("Kept, confirmed by the panel"), "kept"),
              "no_answer": (N_("Kept, not checked by the panel"), "unchecked")}
ENTRY_WORDS = {
    "agreed": N_("Police agreed to do this"),
    "updated": N_("Police gave an update"),
    "completed": N_("Police said it is done"),
    "confirmed": N_("The panel said it was done"),
    "disputed": N_("The panel said it was not done"),
    "extended": N_("The deadline moved"),
    "withdrawn": N_("Police dropped it"),
    "kept": N_("Counted as done: no answer in time"),
    "reopened": N_("The panel said it stopped working, so it is open again"),
    "lapsed": N_("Counted as a broken promise"),
    **{kind: rule.words for kind, rule in NOTICES.items()},
    "extension_requested": N_("Police asked for a much later deadline: their boss must agree first"),
    "extension_refused": N_("Their boss said no to the much later deadline: the first one stands"),
}
# How the owner says it is going, in plain words.
TRACK_WORDS = {"on_track": N_("On track"), "minor_delay": N_("A little late"),
               "significant_delay": N_("Will be late"), "not_started": N_("Not started yet")}
# Who else heard of a change, by role, in plain words (contract §4: an escalation cannot be silenced).
TOLD_WORDS = {"owner": N_("the owner"), "supervisor": N_("the owner's boss"), "senior_lead": N_("senior police"),
              "board": N_("the oversight board")}


def when(d: dt.date | dt.datetime | None) -> str:
    """A day in the page's language (Babel's month names): `3 December 2026` / `3 Rhagfyr 2026`."""
    return _("never") if d is None else short_date(d)


def title_of(rec) -> str:
    """A recommendation's title in the page's language where it was given one (docs/contract.md §8.4),
    else its title as written: the panel's own words are never translated by us."""
    titles = getattr(rec, "titles", None) or {}
    return titles.get(language()) or rec.title


def lang_query() -> str:
    """`?lang=xx` for the panel's feed and calendar links where the page speaks other than the panel's
    default (the visitor chose), so they follow the page; else nothing (they default to the panel's)."""
    spoken = language()
    return "" if spoken == i18n.choose(None, i18n.current().panel, None) else f"?lang={spoken}"


def aware(at: dt.datetime) -> dt.datetime:
    """A time from the database as UTC where it came back without its zone (SQLite)."""
    return at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)


def days(n: int) -> str:
    return ngettext("%(num)d day", "%(num)d days", n) % {"num": n}


@dataclass
class CommitmentView:
    id: str
    said: str
    said_detail: str
    action: str
    done_means: str
    owner_role: str
    status: str
    status_words: str
    status_class: str
    due: str
    original_due: str
    moves: int
    days_overdue: int
    last_update: str
    timeline: list[dict] = field(default_factory=list)
    awaiting_check: bool = False
    requested: str | None = None  # a later deadline asked for, waiting for the boss
    changed: str | None = None  # kept: "what changed for you", the summary given when it was marked done
    next_update_by: str | None = None  # the owner's next update is due by then (the silence ladder's date)
    track: str | None = None  # how the owner last said it is going, in words
    delay_reason: str | None = None
    move_reasons: list[dict] = field(default_factory=list)  # each deadline move: when, from, to, why
    ask_still_working: bool = False  # kept a while ago: "still working?" with the reopen form
    reopen_until: str | None = None
    reopenings: int = 0
    owner_unreachable: str | None = None  # the owner's mail has failed since then: a new owner is being found
    kept_by: str | None = None  # kept: "panel" (checked) or "no_answer" (not checked by the panel)


def commitment_view(row: CommitmentRow, recommendation: RecommendationRow, entries: list,
                    today: dt.date) -> CommitmentView:
    kept_by = getattr(row, "kept_by", None) if row.status == "kept" else None
    words, css = KEPT_WORDS.get(kept_by or "", STATUS_WORDS[row.status])
    words = _(words)
    late = days_overdue(row, today)
    if late and row.status not in ("lapsed",):
        words, css = _("Late by %(days)s") % {"days": days(late)}, "late"
    return CommitmentView(
        id=row.id, said=title_of(recommendation), said_detail=recommendation.detail, action=row.action,
        done_means=row.done_means, owner_role=row.owner_role, status=row.status, kept_by=kept_by, status_words=words,
        status_class=css, due=when(row.due), original_due=when(row.original_due), moves=row.due_version - 1,
        days_overdue=late, last_update=when(row.last_update_at),
        timeline=[{"when": when(e.at), "what": _what(e), "detail": _detail(e)} for e in entries],
        awaiting_check=row.status == "done",
        requested=when(row.requested_due) if getattr(row, "requested_due", None) else None,
        changed=what_changed(entries) if row.status == "kept" else None,
        next_update_by=when(next_update_by_of(row)) if next_update_by_of(row) else None,
        track=_track(getattr(row, "track", None)),
        delay_reason=getattr(row, "delay_reason", None) if getattr(row, "track", None) in DELAYED else None,
        move_reasons=moves(entries),
        owner_unreachable=when(gone) if (gone := getattr(row, "owner_unreachable_since", None)) else None,
        **_sustain(row, today),
    )


def moves(entries: list) -> list[dict]:
    """Every move of the deadline, with its reason: extensions, and reopenings by the panel."""
    out = []
    for e in entries:
        if e.kind in ("extended", "reopened") and "to" in e.entry:
            why = e.entry.get("reason") or e.entry.get("comment") or ""
            out.append({"when": when(e.at), "from": _day(e.entry.get("from")), "to": _day(e.entry["to"]),
                        "reason": why, "reopened": e.kind == "reopened"})
    return out


def _day(iso: str | None) -> str:
    return when(dt.date.fromisoformat(iso)) if iso else _("unknown")


def _track(track: str | None) -> str | None:
    return _(TRACK_WORDS[track]) if track in TRACK_WORDS else None


def _sustain(row: CommitmentRow, today: dt.date) -> dict[str, Any]:
    """Kept promises re-checked: the page asks "still working?" in the policy's window."""
    c = convert.commitment(row)
    policy = convert.policy(row)
    window = reopen_window(c, policy)
    return {"ask_still_working": still_working_asked(c, today, policy),
            "reopen_until": when(window[1]) if window else None, "reopenings": row.reopenings}


def what_changed(entries: list) -> str | None:
    """The plain-words summary the owner gave when they last marked it done."""
    summaries = [e.entry.get("summary") for e in entries if e.kind == "completed" and e.entry.get("summary")]
    return summaries[-1] if summaries else None


def needs_you(row: CommitmentRow, today: dt.date) -> bool:
    """Waiting for the panel's check, or late: listed first on the panel's page."""
    return row.status == "done" or days_overdue(row, today) > 0


def panel_order(rows: list, today: dt.date) -> list:
    """What needs the panel first (waiting for its check, then the latest first); then the others, folded:
    kept (latest first, each with what changed), being worked on (soonest due first), dropped."""
    def first(r) -> tuple:
        return (0 if r.status == "done" else 1, -days_overdue(r, today), r.due, r.id)

    def rest(r) -> tuple:
        group = GROUP_INDEX[group_of(r.status)]
        done = (r.done_on or r.due).toordinal()
        return (group, -done if r.status == "kept" else r.due.toordinal(), r.id)
    return sorted((r for r in rows if needs_you(r, today)), key=first) + \
        sorted((r for r in rows if not needs_you(r, today)), key=rest)


# The folded groups of the panel's page, in order, with their headings.
GROUPS = [("kept", N_("Done and checked")), ("progress", N_("Being worked on")), ("dropped", N_("Dropped"))]
GROUP_INDEX = {key: i for i, (key, _) in enumerate(GROUPS)}
PANEL_PAGE = 40  # at most this many cards on a page of the panel's page
PAGE_BYTES = 32_000  # and at most about this much of them, so a whole page stays under 50 KB


def card_bytes(v: CommitmentView) -> int:
    """About how much HTML a card makes: its fixed markup, its text as escaped, its timeline, its form."""
    texts = [v.said, v.said_detail, v.action, v.done_means, v.owner_role, v.changed or "", v.delay_reason or "",
             *(e["what"] + e["detail"] for e in v.timeline), *(m["reason"] for m in v.move_reasons)]
    return (700 + sum(len(escape(t)) for t in texts) + 40 * len(v.timeline) + 120 * len(v.move_reasons)
            + (1000 if v.awaiting_check else 0) + (1000 if v.ask_still_working else 0))


def paged(weights: list[int], first_page_extra: int = 0, most: int = PANEL_PAGE,
          budget: int = PAGE_BYTES) -> list[tuple[int, int]]:
    """Split cards of these weights into pages [(start, end)], in order: at most `most` a page and, past the
    first card of a page, at most `budget` bytes (less `first_page_extra` on page 1)."""
    pages: list[tuple[int, int]] = []
    start, size = 0, first_page_extra
    for i, w in enumerate(weights):
        if i > start and (i - start >= most or size + w > budget):
            pages.append((start, i))
            start, size = i, 0
        size += w
    pages.append((start, len(weights)))
    return pages


def group_of(status: str) -> str:
    return {"kept": "kept", "withdrawn": "dropped"}.get(status, "progress")


def entry_words(kind: str) -> str:
    """A timeline entry's kind in the page's language (an unknown kind as it is)."""
    return _(ENTRY_WORDS[kind]) if kind in ENTRY_WORDS else kind


def _what(entry: TimelineRow) -> str:
    words = entry_words(entry.kind)
    if entry.kind == "updated" and "handed_over_to" in entry.entry:
        words = _("A new police owner took it on")
    if entry.kind == "updated" and entry.entry.get("track") in TRACK_WORDS:
        words += f" ({(_track(entry.entry['track']) or '').lower()})"
        if entry.entry.get("delay_reason"):
            words += _(". Why it is late: %(reason)s") % {"reason": entry.entry["delay_reason"]}
    if entry.kind == "extended" and entry.entry.get("approved_by"):
        words += _(", and their boss agreed")
    told = [_(TOLD_WORDS[t]) for t in entry.entry.get("told", []) if t in TOLD_WORDS]
    if told:
        words += _(". Told of this change: %(who)s") % {"who": ", ".join(told)}
    return words


def _detail(entry: TimelineRow) -> str:
    e = entry.entry
    return (e.get("summary") or e.get("note") or e.get("reason") or e.get("comment")
            or (_("New date: %(day)s") % {"day": e["to"]} if "to" in e else "") or "")


@dataclass
class Summary:
    total: int
    kept: int  # kept and confirmed by the panel
    overdue: int
    awaiting_check: int
    awaiting_police: int
    counts: dict[str, int]
    unchecked: int = 0  # kept because the panel did not answer in time


def summary(views: list[CommitmentView], pending: int) -> Summary:
    counts: dict[str, int] = {}
    for v in views:
        counts[v.status_class] = counts.get(v.status_class, 0) + 1
    return Summary(total=len(views), kept=sum(v.status == "kept" and v.kept_by != "no_answer" for v in views),
                   unchecked=sum(v.kept_by == "no_answer" for v in views),
                   overdue=sum(v.days_overdue > 0 for v in views), awaiting_check=sum(v.awaiting_check for v in views),
                   awaiting_police=pending, counts=counts)


CHART_ORDER = [("kept", N_("Done and checked")), ("unchecked", N_("Kept, not checked by the panel")),
               ("check", N_("Please check")),
               ("progress", N_("Being worked on")), ("open", N_("Not started")), ("late", N_("Late")),
               ("disputed", N_("You disagree")), ("dropped", N_("Dropped"))]


def chart(s: Summary, width: int = 300) -> list[dict]:
    """Bars of a horizontal stacked chart, with their labels."""
    bars, x = [], 0.0
    for css, label in CHART_ORDER:
        n = s.counts.get(css, 0)
        if not n:
            continue
        w = width * n / max(s.total, 1)
        bars.append({"x": round(x, 1), "w": round(w, 1), "css": css, "label": _(label), "n": n})
        x += w
    return bars
