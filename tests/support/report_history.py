"""A quarter of history for the scrutiny report, through the tracker's real ingest handlers, its
commands and its scan, on a simulated clock over a real database: 2026-Q4 as seen on 10 December 2026.

Panel one ("Test area"): one promise agreed in September that goes very late and reaches the board;
one kept and confirmed by the panel; one kept because the panel did not answer; one re-dated by its
owner (the reason names an address, which the report must not show) and one by the supervisor's
approval; one disputed; one withdrawn; a declined idea; an idea answered after its clock ran out;
and a trust pulse published in October and November. Panel two ("Other area"): one promise on time."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from schemas import Recommendation, make_event
from schemas.models import RecommendationDeclined, RecommendationRecorded
from services.common.clock import SimulatedClock
from services.common.db import make_engine
from services.tracker.bootstrap import bootstrap
from services.tracker.settings import TrackerSettings
from services.tracker.usecases import actions
from services.tracker.usecases import pulse as pulse_uc
from tests.support.events import agreed_event, panel_event
from tests.support.person import feed

D = dt.date
AS_OF = D(2026, 12, 10)
ADDRESS_IN_REASON = "jo.bloggs@radio.example"
PULSE = {10: [(4, "yes"), (3, "no"), (5, "yes"), (2, "not_sure"), (4, "yes")],
         11: [(2, "no"), (3, "no"), (4, "yes"), (1, "no"), (3, "yes")]}


@dataclass
class History:
    tracker: object
    clock: SimulatedClock
    panel: str
    other_panel: str
    ids: dict[str, str]  # story name -> commitment id
    addresses: list[str]  # every address the story used: none may appear in the report
    raised_in_q4: int  # recommendations of both panels raised in the quarter


def _agreed(uid: str, agreed_on: D, due: D, themes: list[str] | None = None) -> dict:
    event = agreed_event(uid, due, agreed_on=agreed_on)
    if themes:
        event["data"]["recommendation"]["themes"] = themes
    return event


def _rec(uid: str, raised_on: D) -> Recommendation:
    return Recommendation(id=uuid.uuid4(), panel=f"panel-{uid}", raised_on=raised_on, title="Later buses",
                          detail="", themes=["transport"])


def _on(clock: SimulatedClock, tracker, day: D) -> None:
    clock.set_day(day)
    tracker.scanner.run(clock.now())


def _run(h: History, day: D, name: str, command, **kwargs) -> None:
    _on(h.clock, h.tracker, day)
    if command in (actions.extend, actions.post_update, actions.withdraw, actions.approve_extension):
        kwargs["recorder"] = h.tracker.recorder
    actions.run(h.tracker.storage, h.clock, h.ids[name], command, **kwargs)


def seed_report_history(database_url: str, uid: str) -> History:
    clock = SimulatedClock(dt.datetime(2026, 9, 20, 9, tzinfo=dt.timezone.utc))
    tracker = bootstrap(TrackerSettings(followthrough_secret_key="report-test-" + "k" * 32), clock,
                        engine=make_engine(database_url))
    other = uid[::-1]
    second = panel_event(other)
    second["data"]["panel"]["area"] = "Other area"
    feed(tracker, panel_event(uid), second)
    story = {  # name: (agreed on, due, themes)
        "board": (D(2026, 9, 20), D(2026, 10, 15), None),
        "confirmed": (D(2026, 10, 5), D(2026, 11, 1), ["respect", "safety"]),
        "silent": (D(2026, 10, 6), D(2026, 11, 5), None),
        "owner_moved": (D(2026, 10, 10), D(2026, 11, 10), ["safety"]),
        "supervisor_moved": (D(2026, 10, 12), D(2026, 11, 15), None),
        "disputed": (D(2026, 11, 1), D(2026, 12, 1), None),
        "withdrawn": (D(2026, 11, 2), D(2027, 1, 30), None),
    }
    events = {name: _agreed(uid, a, d, t) for name, (a, d, t) in story.items()}
    events["elsewhere"] = _agreed(other, D(2026, 10, 20), D(2027, 2, 1))
    h = History(tracker, clock, f"panel-{uid}", f"panel-{other}",
                {n: e["data"]["commitment"]["id"] for n, e in events.items()},
                [f"{who}-{u}@example.org" for who in ("o", "s", "l", "b", "lead") for u in (uid, other)]
                + [ADDRESS_IN_REASON], raised_in_q4=0)
    for event in sorted(events.values(), key=lambda e: e["data"]["commitment"]["agreed_on"]):
        _on(clock, tracker, D.fromisoformat(event["data"]["commitment"]["agreed_on"]))
        feed(tracker, event)
    _on(clock, tracker, D(2026, 11, 10))
    feed(tracker, make_event("recommendation.declined", "x", RecommendationDeclined(
        recommendation=_rec(uid, D(2026, 11, 3)), reason="The council runs the buses.", decline_code="no_power"),
        source="test"))
    feed(tracker, make_event("recommendation.recorded", "x", RecommendationRecorded(
        recommendation=_rec(uid, D(2026, 10, 20)), respond_by=D(2026, 11, 3)), source="test"))
    h.raised_in_q4 = sum(D.fromisoformat(e["data"]["recommendation"]["raised_on"]) >= D(2026, 10, 1)
                         for e in events.values()) + 2
    _act(h)
    _on(clock, tracker, AS_OF)
    return h


def _act(h: History) -> None:
    done = dict(note="Done", percent=100, evidence_url=None, evidence_note="The minutes", done=True,
                summary="Every officer was briefed.")
    for month, answers in PULSE.items():
        h.clock.set_day(D(2026, month, 12))
        for trust, kept in answers:
            pulse_uc.record(h.tracker.storage, h.clock, h.panel, trust, kept)
    _run(h, D(2026, 10, 25), "confirmed", actions.post_update, **done)
    _run(h, D(2026, 10, 27), "confirmed", actions.verdict, verdict="confirmed", comment="We saw the briefing.")
    _run(h, D(2026, 10, 30), "silent", actions.post_update, **done)
    _run(h, D(2026, 11, 5), "owner_moved", actions.extend, new_due=D(2026, 12, 20),
         reason=f"The radios come late; ask {ADDRESS_IN_REASON}")
    _run(h, D(2026, 11, 10), "supervisor_moved", actions.extend, new_due=D(2027, 3, 15), reason="A new budget year")
    _run(h, D(2026, 11, 12), "supervisor_moved", actions.approve_extension)
    _run(h, D(2026, 11, 20), "disputed", actions.post_update, **done)
    _run(h, D(2026, 11, 22), "disputed", actions.verdict, verdict="disputed", comment="Half the officers missed it.")
    _run(h, D(2026, 11, 25), "withdrawn", actions.withdraw, reason="The scheme closed")
    for day in (D(2026, 11, 30), D(2026, 12, 7)):
        _on(h.clock, h.tracker, day)
