"""The panels' hash chains as pure rules: hashing, verification, and the audit that compares the stored
replies and shown pulse counts with their entries (an edit anywhere shows, and where)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from services.tracker.domain import hashchain, panelchain

AT = dt.datetime(2026, 11, 3, 18, 30, 1, 123456, tzinfo=dt.timezone.utc)
PANEL = "panel-north"
REC = "6f0c1a5e-0000-4000-8000-000000000001"


def _chain(records: list[tuple[str, str, dict]]) -> list[SimpleNamespace]:
    rows, head = [], None
    for kind, ref, entry in records:
        record = hashchain.link(head, AT + dt.timedelta(minutes=len(rows)), kind, entry)
        head = (record["seq"], record["hash"])
        rows.append(SimpleNamespace(ref=ref, **record))
    return rows


def _reply(comment: str = "Please think again.", **over) -> dict:
    return {"id": "a1", "recommendation_id": REC, "panel": PANEL, "decision": "declined", "round": 1,
            "reply": "insist", "comment": comment, "respond_by": dt.date(2026, 12, 29), "counter_id": None, "at": AT,
            **over}


def _step(counted: int, trust=(1, 1, 1, 1, 1), yes: int = 2) -> tuple[str, dict]:
    return panelchain.pulse_entry("2026-11", counted, [n * counted // 5 for n in trust],
                                  {"yes": yes, "no": counted - yes, "not_sure": 0})


def _world():
    reply = _reply()
    five, ten = _step(5), _step(10, yes=6)
    chains = {panelchain.reply_chain(REC): _chain([("reply", *panelchain.reply_entry(reply))]),
              panelchain.pulse_chain(PANEL): _chain([("pulse_step", *five), ("pulse_step", *ten)])}
    return chains, [reply], {"2026-11": ten[1]}


@given(st.lists(st.integers(0, 99), min_size=1, max_size=6), st.integers(0, 5))
def test_any_edited_entry_breaks_the_chain_there(counts, pick):
    rows = _chain([("k", str(i), {"n": n}) for i, n in enumerate(counts)])
    assert hashchain.verify(rows) == {"intact": True, "entries": len(rows), "head": rows[-1].hash}
    at = pick % len(rows)
    rows[at].entry = {**rows[at].entry, "edited": True}
    assert hashchain.verify(rows)["broken_at_seq"] == at + 1
    assert hashchain.verify(rows)["intact"] is False


def test_the_same_instant_hashes_the_same_with_or_without_its_zone():
    naive = AT.replace(tzinfo=None)
    assert hashchain.entry_hash("0", 1, AT, "k", {}) == hashchain.entry_hash("0", 1, naive, "k", {})
    assert hashchain.entry_hash("0", 1, AT, "k", {}) != hashchain.entry_hash("0", 1, AT, "k", {"a": 1})


def test_an_untouched_panel_is_intact():
    chains, replies, shown = _world()
    assert panelchain.audit(PANEL, chains, replies, shown) == {"intact": True, "entries": 3, "chains": 2}


def test_a_changed_reply_text_is_found_at_its_entry():
    chains, _, shown = _world()
    found = panelchain.audit(PANEL, chains, [_reply("We accept.")], shown)
    assert (found["intact"], found["broken_chain"], found["broken_at_seq"]) == (False, f"replies:{REC}", 1)


def test_a_deleted_reply_or_one_never_chained_is_found():
    chains, replies, shown = _world()
    gone = panelchain.audit(PANEL, chains, [], shown)
    assert (gone["intact"], gone["broken_at_seq"]) == (False, 1) and "no longer stored" in gone["explanation"]
    extra = panelchain.audit(PANEL, chains, [*replies, _reply(id="b2", recommendation_id="other")], shown)
    assert (extra["intact"], extra["broken_at_seq"]) == (False, None)


def test_a_changed_shown_count_is_found_at_the_latest_step_of_its_period():
    chains, replies, shown = _world()
    edited = {**shown["2026-11"], "kept": {**shown["2026-11"]["kept"], "yes": 9}}
    found = panelchain.audit(PANEL, chains, replies, {"2026-11": edited})
    assert (found["broken_chain"], found["broken_at_seq"]) == (f"pulse:{PANEL}", 2)
    hidden = panelchain.audit(PANEL, chains, replies, {})
    assert (hidden["intact"], hidden["broken_at_seq"]) == (False, 2)
    invented = panelchain.audit(PANEL, chains, replies, {**shown, "2026-12": _step(5)[1]})
    assert (invented["intact"], invented["broken_at_seq"]) == (False, None)


def test_an_edited_entry_is_found_before_the_rows_are_compared():
    chains, replies, shown = _world()
    chains[f"pulse:{PANEL}"][0].entry = {**chains[f"pulse:{PANEL}"][0].entry, "counted": 6}
    found = panelchain.audit(PANEL, chains, replies, shown)
    assert (found["broken_chain"], found["broken_at_seq"]) == (f"pulse:{PANEL}", 1)
    assert "does not match its hash" in found["explanation"]


def test_a_pulse_step_holds_the_published_counts_only():
    ref, entry = _step(10, yes=6)
    assert ref == "2026-11:10"
    assert set(entry) == {"period", "counted", "trust", "kept"}
