"""Two quarters of history, so the board's report (contract §8.2) has a trend: ideas raised and agreed
months ago, promises kept (confirmed by the panel, or kept because the panel did not answer), done
late, still late, re-dated (once by the owner, once with the supervisor's approval) and disputed, and
the trust pulse month by month.

The recommendations go through intake's API like the rest of the example; what followed is recorded
through the tracker's own use cases on a clock set back to the day it happened, so the timeline, the
register and the report date each step as if the demo had been running since spring."""

from __future__ import annotations

import datetime as dt

from services.common.clock import SimulatedClock

P, T, C = "mentoring-cohort", "youth-led-training", "panel-ieuenctid-caerdydd"


def _agreed(panel, title, action, owner_role, owner_email, agreed_on, due, themes) -> dict:
    return {"panel": panel, "title": title, "action": action, "owner_role": owner_role, "owner_email": owner_email,
            "agreed_on": agreed_on, "due": due, "themes": themes}


# Days are relative to today. The owners are roles at the reserved example.org domain, as in example.py.
PROMISES = [
    _agreed(P, "Young people sit in on recruitment interviews", "Give two cohort members a seat on each "
            "recruitment panel for neighbourhood officers", "Superintendent, people",
            "superintendent.people@example.org", agreed_on=-178, due=-120, themes=["youth-voice", "trust"]),
    _agreed(T, "Say on the search receipt why the search happened", "Print the grounds for the search on every "
            "receipt given to an under-18", "Inspector, custody", "inspector.custody@example.org",
            agreed_on=-170, due=-100, themes=["stop-and-search"]),
    _agreed(P, "A youth surgery at the custody suite each term", "Hold a termly open session at the custody suite "
            "for the cohort", "Inspector, custody", "inspector.custody@example.org", agreed_on=-160, due=-90,
            themes=["trust", "communication"]),
    _agreed(T, "Name an officer for each secondary school", "Publish a named officer for every secondary school in "
            "the three boroughs", "Sergeant, schools team", "sergeant.schools@example.org", agreed_on=-150, due=-75,
            themes=["schools"]),
    _agreed(P, "Watch body-worn video of stops with young people", "Review ten stops' body-worn video with the "
            "cohort each quarter", "Chief Inspector, professional standards", "chief-inspector.standards@example.org",
            agreed_on=-140, due=-60, themes=["stop-and-search", "respect"]),
    _agreed(C, "Taflen Gymraeg am eich hawliau pan gewch eich stopio", "Ysgrifennu taflen Gymraeg gyda'r panel a'i "
            "rhoi ym mhob car", "Rhingyll, tîm ysgolion", "rhingyll.ysgolion@example.org", agreed_on=-130, due=-30,
            themes=["stop-and-search"]),
    _agreed(T, "Youth workers at the summer events", "Bring the panel's youth workers to every summer event police "
            "run", "Inspector, neighbourhoods", "inspector.neighbourhoods@example.org", agreed_on=-175, due=-110,
            themes=["youth-voice"]),
    _agreed(P, "A monthly drop-in at the youth centre", "Staff a monthly drop-in at the youth centre with the same "
            "two officers", "Sergeant, schools team", "sergeant.schools@example.org", agreed_on=-165, due=-110,
            themes=["communication", "trust"]),
]

DECLINED = [
    {"panel": T, "raised_on": -160, "answered": -150, "title": "Officers out of uniform at youth events",
     "decline_code": "not_workable", "decline_reason": "Officers on duty must be seen to be police; we offered "
     "plain-clothes youth workers beside them instead."},
]

# What followed, in order: (title, day, what, details).
STEPS = [
    ("Young people sit in on recruitment interviews", -125, "done", {}),
    ("Young people sit in on recruitment interviews", -118, "confirmed", {}),
    ("Say on the search receipt why the search happened", -104, "done", {}),  # the panel never answered: kept
    ("A youth surgery at the custody suite each term", -95, "extend",
     {"new_due": -45, "reason": "The custody suite is closed for a refit until the autumn."}),
    ("A youth surgery at the custody suite each term", -50, "done", {}),
    ("A youth surgery at the custody suite each term", -40, "confirmed", {}),
    ("Watch body-worn video of stops with young people", -70, "extend",
     {"new_due": 50, "reason": "The video system is replaced this year; reviews start when it is in."}),
    ("Watch body-worn video of stops with young people", -68, "approve", {}),
    ("Taflen Gymraeg am eich hawliau pan gewch eich stopio", -35, "done", {}),
    ("Taflen Gymraeg am eich hawliau pan gewch eich stopio", -28, "disputed", {}),
    ("Youth workers at the summer events", -112, "done", {}),
    ("Youth workers at the summer events", -105, "confirmed", {}),
    ("A monthly drop-in at the youth centre", -85, "done", {}),  # done, but late
    ("A monthly drop-in at the youth centre", -80, "confirmed", {}),
]

# The trust pulse, month by month (months before this one): answers of (trust 1-5, kept yes|no|not_sure).
# Trust rises as more promises are kept, so the report's trend has something to show.
PULSE = {
    P: {5: [(2, "no")] * 4 + [(3, "not_sure")] * 2, 4: [(2, "no")] * 3 + [(3, "not_sure")] * 3,
        3: [(3, "not_sure")] * 4 + [(4, "yes")] * 2, 2: [(3, "yes")] * 3 + [(4, "yes")] * 3,
        1: [(4, "yes")] * 4 + [(3, "not_sure")] * 2},
    T: {5: [(1, "no")] * 3 + [(2, "no")] * 3, 3: [(2, "not_sure")] * 6, 1: [(3, "yes")] * 3 + [(2, "no")] * 3},
}


def recommendations(today: dt.date) -> list[dict]:
    """The history's recommendations as intake's API takes them."""
    def day(n: int) -> str:
        return (today + dt.timedelta(days=n)).isoformat()

    out = [{"panel": p["panel"], "raised_on": day(p["agreed_on"] - 10), "title": p["title"], "detail": "",
            "themes": p["themes"], "decision": "agreed",
            "commitment": {"action": p["action"], "done_means": "The panel has seen it done",
                           "owner": {"role": p["owner_role"], "email": p["owner_email"]},
                           "due": day(p["due"]), "agreed_on": day(p["agreed_on"])}} for p in PROMISES]
    out += [{"panel": d["panel"], "raised_on": day(d["raised_on"]), "title": d["title"], "detail": "",
             "themes": ["respect"], "decision": "declined", "decline_code": d["decline_code"],
             "decline_reason": d["decline_reason"]} for d in DECLINED]
    return out


def replay_steps(tracker, ids: dict[str, str], today: dt.date) -> None:
    """Each step through the tracker's use case on the day it happened. `ids`: commitment id by title."""
    from services.tracker.usecases import actions

    clock = SimulatedClock(dt.datetime.now(dt.UTC))
    rec = {"recorder": tracker.recorder}
    done = {"note": "Done", "percent": None, "evidence_url": None, "evidence_note": "Shown at the panel's meeting",
            "done": True, "summary": "We did what we promised; please check.", **rec}
    for title, day, what, details in STEPS:
        clock.set_day(today + dt.timedelta(days=day), hour=11)
        cid = ids[title]
        if what == "done":
            actions.run(tracker.storage, clock, cid, actions.post_update, **done)
        elif what in ("confirmed", "disputed"):
            comment = "From the panel's meeting" if what == "confirmed" else "Nid ydym wedi gweld y daflen eto."
            actions.run(tracker.storage, clock, cid, actions.verdict, verdict=what, comment=comment)
        elif what == "extend":
            actions.run(tracker.storage, clock, cid, actions.extend, reason=details["reason"],
                        new_due=today + dt.timedelta(days=details["new_due"]), **rec)
        else:
            actions.run(tracker.storage, clock, cid, actions.approve_extension, **rec)


def pulse_answers(tracker, today: dt.date) -> None:
    """Each month's answers, counted on the 10th of that month, through the pulse's own use case."""
    from services.tracker.usecases import pulse

    clock = SimulatedClock(dt.datetime.now(dt.UTC))
    for panel, months in PULSE.items():
        for back, answers in months.items():
            first = today.replace(day=1)
            for _ in range(back):
                first = (first - dt.timedelta(days=1)).replace(day=1)
            clock.set_day(first.replace(day=10))
            for trust, kept in answers:
                pulse.record(tracker.storage, clock, panel, trust, kept)
