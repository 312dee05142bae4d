"""The panel's right of reply on its page and feed: what each decision was, what the panel answered,
and which decisions it can still answer (one reply per decision). Plain words, no email address."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.common.i18n import N_, _, short_date
from services.tracker.domain.reply import ALLOWED

REPLY_WORDS = {"accept": N_("You accepted this"), "insist": N_("You insisted"),
               "counter": N_("You proposed something else")}
DECISION_WORDS = {"agreed": N_("their promise"), "declined": N_("their no"), "withdrawn": N_("dropping the promise")}
CHOICE_WORDS = {
    "accept": N_("We accept this"),
    "insist": N_("We insist: ask them again"),
    "counter": N_("We propose something else"),
}
DECLINE_CODE_WORDS = {
    "no_power": N_("Police do not have the power"),
    "no_budget": N_("No money for it"),
    "legal_or_safety": N_("The law or safety does not allow it"),
    "not_workable": N_("Police say it would not work"),
    "other": N_("Another reason"),
}
FORM_BYTES = 2000  # about what one reply form adds to a page (measured: 1.5-1.8 KB), for its paging


@dataclass
class PanelReplies:
    by_rec: dict[str, list[dict]] = field(default_factory=dict)  # recommendation id -> replies, oldest first
    answered: set[tuple[str, str, int]] = field(default_factory=set)  # (recommendation, decision, round)

    def of(self, rec_id: str) -> list[dict]:
        return self.by_rec.get(rec_id, [])

    def form(self, rec, decision: str) -> dict | None:
        """The reply form for this decision, or None once answered."""
        if (rec.id, decision, rec.response_round or 1) in self.answered:
            return None
        return {"rec_id": rec.id, "decision": decision,
                "choices": [(c, _(CHOICE_WORDS[c])) for c in ALLOWED[decision]]}


def collect(rows: list, titles: dict[str, str]) -> PanelReplies:
    """The panel's replies (oldest first, as the panel snapshot reads them) by decision."""
    out = PanelReplies()
    for r in rows:
        out.answered.add((r.recommendation_id, r.decision, r.round))
        out.by_rec.setdefault(r.recommendation_id, []).append(entry(r, titles))
    return out


def entry(r, titles: dict[str, str]) -> dict:
    words = f"{_(REPLY_WORDS[r.reply])} ({_(DECISION_WORDS[r.decision])})"
    if r.reply == "counter" and r.counter_id:
        words += f": {titles.get(r.counter_id) or _('a new idea')}"
    if r.respond_by:
        words += _(". Police must answer by %(day)s") % {"day": when(r.respond_by)}
    return {"id": r.id, "when": when(r.at), "what": words, "comment": r.comment, "at": r.at,
            "reply": r.reply, "decision": r.decision}


def who_can_line(rec) -> str | None:
    """contract §5: a decline for want of power names who has it."""
    if getattr(rec, "decline_code", None) == "no_power" and rec.who_can:
        return _("Police cannot do this; %(who)s can.") % {"who": rec.who_can}
    return None


def when(d: dt.date) -> str:
    return short_date(d)
