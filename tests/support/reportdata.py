"""A year of a force's promises, written fast through the tracker's own ingest and use cases, for the
report's PDF test and bench/report_render.py: panels, agreed and declined ideas raised over the year,
promises kept (confirmed by the panel), done late, re-dated, disputed or left late, and the trust
pulse month by month. Each step runs on a clock set to the day it happened."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from schemas import parse_event
from schemas.policy import PolicyFile
from services.common.clock import SimulatedClock
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.usecases import actions, pulse
from services.tracker.usecases.ingest import Handlers
from tests.support.events import agreed_event, panel_event

THEMES = ("stop-and-search", "schools", "trust", "youth-voice", "respect", "complaints")


def seed(engine, today: dt.date, commitments: int, panels: int = 6, uid: str | None = None,
         steps_every: int = 1) -> list[str]:
    """`commitments` agreed ideas over the year before `today` across `panels` panels, and every
    `steps_every`-th one taken further (done, confirmed, re-dated, disputed). The panels' slugs."""
    uid = uid or uuid.uuid4().hex[:8]
    storage = SqlStorage(engine)
    handlers = Handlers(storage, PolicyFile())
    slugs = [f"{uid}-{i}" for i in range(panels)]
    for slug in slugs:
        handlers.handle(*parse_event(json.dumps(panel_event(slug)).encode()))
    events, ids = [], []
    for n in range(commitments):
        agreed_on = today - dt.timedelta(days=365 - (n * 360 // max(commitments, 1)))
        due = agreed_on + dt.timedelta(days=30 + (n * 37) % 120)
        event = agreed_event(slugs[n % panels], due, agreed_on=agreed_on)
        event["data"]["recommendation"]["themes"] = [THEMES[n % len(THEMES)]]
        events.append(parse_event(json.dumps(event).encode()))
        ids.append((event["data"]["commitment"]["id"], agreed_on, due))
    for start in range(0, len(events), 2000):
        handlers.handle_many(events[start:start + 2000])
    _follow_up(storage, [x for i, x in enumerate(ids) if i % steps_every == 0], today)
    _pulse(storage, [f"panel-{s}" for s in slugs], today)
    return [f"panel-{s}" for s in slugs]


def _follow_up(storage, ids, today: dt.date) -> None:
    clock = SimulatedClock(dt.datetime.now(dt.UTC))
    done = {"note": "Done", "percent": None, "evidence_url": None, "evidence_note": "Minutes of the meeting",
            "done": True, "summary": "Done; please check.", "recorder": None}

    def at(day: dt.date) -> bool:
        if day > today:
            return False
        clock.set_day(day, hour=11)
        return True

    for n, (cid, _agreed_on, due) in enumerate(ids):
        kind = n % 6
        if kind in (0, 1) and at(due - dt.timedelta(days=3)):  # done on time, confirmed by the panel
            actions.run(storage, clock, cid, actions.post_update, **done)
            if at(due + dt.timedelta(days=2)):
                actions.run(storage, clock, cid, actions.verdict, verdict="confirmed", comment="Seen it")
        elif kind == 2 and at(due - dt.timedelta(days=5)):  # re-dated by its owner, within the limit
            actions.run(storage, clock, cid, actions.extend, new_due=due + dt.timedelta(days=30),
                        reason="The venue fell through; a new one is booked.", recorder=_Recorder())
        elif kind == 3 and at(due + dt.timedelta(days=10)):  # done late, then disputed
            actions.run(storage, clock, cid, actions.post_update, **done)
            if at(due + dt.timedelta(days=14)):
                actions.run(storage, clock, cid, actions.verdict, verdict="disputed", comment="Not what we saw")
        # 4 and 5: left as they are, so some are late


class _Recorder:
    """No notices: the seeded history is the report's input, not anyone's inbox."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _pulse(storage, panels: list[str], today: dt.date) -> None:
    clock = SimulatedClock(dt.datetime.now(dt.UTC))
    first = today.replace(day=1)
    for back in range(12):
        clock.set_day(first.replace(day=min(10, today.day) if back == 0 else 10))
        for i, panel in enumerate(panels):
            for a in range(5):
                pulse.record(storage, clock, panel, 1 + (back + a + i) % 5, ("yes", "no", "not_sure")[(a + back) % 3])
        first = (first - dt.timedelta(days=1)).replace(day=1)
