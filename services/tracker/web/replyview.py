"""The panel's right of reply on its page and feed: what each decision was, what the panel answered,
and which decisions it can still answer (one reply per decision). Plain words, no email address."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.tracker.domain.reply import ALLOWED

REPLY_WORDS = {"accept": "You accepted this", "insist": "You insisted", "counter": "You proposed something else"}
DECISION_WORDS = {"agreed": "their promise", "declined": "their no", "withdrawn": "dropping the promise"}
CHOICE_WORDS = {
    "accept": "We accept this",
    "insist": "We insist: ask them again",
    "counter": "We propose something else",
}
DECLINE_CODE_WORDS = {
    "no_power": "Police do not have the power",
    "no_budget": "No money for it",
    "legal_or_safety": "The law or safety does not allow it",
    "not_workable": "Police say it would not work",
    "other": "Another reason",
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
                "choices": [(c, CHOICE_WORDS[c]) for c in ALLOWED[decision]]}


def collect(rows: list, titles: dict[str, str]) -> PanelReplies:
    """The panel's replies (oldest first, as the panel snapshot reads them) by decision."""
    out = PanelReplies()
    for r in rows:
        out.answered.add((r.recommendation_id, r.decision, r.round))
        out.by_rec.setdefault(r.recommendation_id, []).append(entry(r, titles))
    return out


def entry(r, titles: dict[str, str]) -> dict:
    words = f"{REPLY_WORDS[r.reply]} ({DECISION_WORDS[r.decision]})"
    if r.reply == "counter" and r.counter_id:
        words += f": {titles.get(r.counter_id, 'a new idea')}"
    if r.respond_by:
        words += f". Police must answer by {r.respond_by.day} {r.respond_by:%B %Y}"
    return {"id": r.id, "when": f"{r.at.day} {r.at:%B %Y}", "what": words, "comment": r.comment, "at": r.at,
            "reply": r.reply, "decision": r.decision}


def who_can_line(rec) -> str | None:
    """contract §5: a decline for want of power names who has it."""
    if getattr(rec, "decline_code", None) == "no_power" and rec.who_can:
        return f"Police cannot do this; {rec.who_can} can."
    return None


def when(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"
