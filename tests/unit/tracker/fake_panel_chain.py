"""The panels' chains in memory, for the in-memory storage (`fakes.py`): chain -> records, each once per
ref, as the (chain, ref) key keeps it; the (chain, seq) race cannot happen in one thread."""

from __future__ import annotations

import copy

from services.tracker.domain import hashchain, panelchain


class FakePanelChain:
    def __init__(self, state) -> None:
        self.chains = state.panel_chain

    def reply(self, values):
        ref, entry = panelchain.reply_entry(values)
        return self._append(panelchain.reply_chain(str(values["recommendation_id"])), panelchain.REPLY, ref, entry,
                            values["at"])

    def pulse_step(self, panel, step, at):
        kept = step.kept if isinstance(step.kept, dict) else step.kept.model_dump()
        ref, entry = panelchain.pulse_entry(step.period, step.counted, step.trust, kept)
        return self._append(panelchain.pulse_chain(panel), panelchain.PULSE_STEP, ref, entry, at)

    def _append(self, chain, kind, ref, entry, at):
        rows = self.chains.setdefault(chain, [])
        for row in rows:
            if row["ref"] == ref:
                return row
        head = (rows[-1]["seq"], rows[-1]["hash"]) if rows else None
        rows.append({**hashchain.link(head, at, kind, copy.deepcopy(entry)), "ref": ref})
        return rows[-1]
