"""The panels' hash chains in the database (`domain/panelchain.py` says what they hold): appending a
reply or a published pulse step, and reading a panel's chains and what its pages show for the audit.

An append is once per reply or step (the (chain, ref) key) and takes the next seq under the (chain, seq)
key: two writers racing for one seq both read the same head, the database refuses the second, and it
reads the new head and tries again. So a live reply, a replayed one and a retried consumer all agree."""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from schemas.models import PULSE_MIN_ANSWERS
from services.common.db import insert_once
from services.tracker.adapters.store import panel_chain, pulse, replies
from services.tracker.domain import hashchain, panelchain
from services.tracker.domain.panelchain import KEPT, TRUST

ATTEMPTS = 20


class ChainContended(RuntimeError):
    """Another writer took every seq tried; the transaction should be retried."""


def append(session: Session, panel: str, chain: str, kind: str, ref: str, entry: dict[str, Any],
           at: dt.datetime) -> dict[str, Any]:
    """Append once per (chain, ref); the record written now or before."""
    t = panel_chain.c
    for _ in range(ATTEMPTS):
        head = session.execute(select(t.seq, t.hash).where(t.chain == chain).order_by(t.seq.desc()).limit(1)).first()
        record = hashchain.link(tuple(head) if head else None, at, kind, entry)
        if insert_once(session, panel_chain, panel=panel, chain=chain, ref=ref, **record):
            return record
        found = session.execute(select(panel_chain).where(t.chain == chain, t.ref == ref)).first()
        if found is not None:
            return dict(found._mapping)  # recorded before: the same event again
    raise ChainContended(f"no free seq in {chain} after {ATTEMPTS} attempts")


def append_reply(session: Session, values: Mapping[str, Any]) -> dict[str, Any]:
    """The reply whose row has these values (`tracker_replies`), in its recommendation's chain at its `at`."""
    ref, entry = panelchain.reply_entry(values)
    return append(session, values["panel"], panelchain.reply_chain(str(values["recommendation_id"])),
                  panelchain.REPLY, ref, entry, values["at"])


def append_pulse_step(session: Session, panel: str, step: Any, at: dt.datetime) -> dict[str, Any] | None:
    """A published step of the panel's pulse, at the time of the `pulse.recorded` event that published it.
    `step` has `period`, `counted`, `trust` (five counts) and `kept` (a mapping or the event's model):
    the live `Period` and a replayed `PulseRecorded` both do. Safe to call for every `pulse.recorded`:
    one that publishes no counts is not a step (None), and a step's later events find it chained."""
    if not step.counted or step.counted < PULSE_MIN_ANSWERS or step.trust is None or step.kept is None:
        return None
    kept = step.kept if isinstance(step.kept, Mapping) else step.kept.model_dump()
    ref, entry = panelchain.pulse_entry(step.period, step.counted, step.trust, kept)
    return append(session, panel, panelchain.pulse_chain(panel), panelchain.PULSE_STEP, ref, entry, at)


def chains(session: Session, panel: str) -> dict[str, Sequence]:
    """Every chain of the panel, each in seq order."""
    t = panel_chain.c
    out: dict[str, list] = {}
    for row in session.execute(select(panel_chain).where(t.panel == panel).order_by(t.chain, t.seq)):
        out.setdefault(row.chain, []).append(row)
    return out


def stored_replies(session: Session, panel: str) -> list[Mapping[str, Any]]:
    return [r._mapping for r in session.execute(select(replies).where(replies.c.panel == panel))]


def shown_steps(session: Session, panel: str, min_answers: int) -> dict[str, dict[str, Any]]:
    """period -> the step entry the stored shown counts make, for the periods shown."""
    c = pulse.c
    rows = session.execute(select(pulse).where(c.panel == panel, c.shown_answers >= min_answers))
    return {r.period: panelchain.pulse_entry(r.period, r.shown_answers, [r._mapping[f"shown_trust_{n}"] for n in TRUST],
                                             {k: r._mapping[f"shown_kept_{k}"] for k in KEPT})[1] for r in rows}


class PanelChainRepository:
    """The unit of work's seam (`usecases/unitofwork.py`): the appends, in its session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def reply(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return append_reply(self.session, values)

    def pulse_step(self, panel: str, step: Any, at: dt.datetime) -> dict[str, Any] | None:
        return append_pulse_step(self.session, panel, step, at)
