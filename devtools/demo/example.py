"""The demo's example, drawn from the seeds: a mentoring cohort, a
youth-led training panel, and a Welsh-speaking panel in Cardiff. Roles only, and invented addresses at the reserved
example.org domain: no personal data. Dates are relative to today, so the
ladder moves while you watch."""

from __future__ import annotations

import datetime as dt


def ladder(area: str) -> dict:
    return {"supervisor": f"superintendent.{area}@example.org",
            "senior_lead": f"bcu-commander.{area}@example.org",
            "board": f"oversight-board.{area}@example.org"}


PANELS = [
    {
        "slug": "mentoring-cohort",
        "name": "Youth mentoring cohort (17 young people, six officers)",
        "area": "North East BCU: Waltham Forest",
        "police_lead": {"role": "Inspector, youth engagement", "email": "inspector.ne@example.org"},
        "escalation": ladder("ne"),
    },
    {
        "slug": "youth-led-training",
        "name": "Youth-led training panel",
        "area": "Three boroughs: Hackney, Newham, Tower Hamlets",
        "police_lead": {"role": "Chief Inspector, training", "email": "chief-inspector.training@example.org"},
        "escalation": ladder("training"),
    },
    {  # A panel in Wales that works in Welsh: its pages open in Welsh, its owner's emails are Welsh.
        "slug": "panel-ieuenctid-caerdydd",
        "name": "Panel ieuenctid Caerdydd",
        "area": "Caerdydd",
        "language": "cy",
        "police_lead": {"role": "Arolygydd, ymgysylltu ag ieuenctid", "email": "arolygydd.caerdydd@example.org",
                        "language": "cy"},
        "escalation": {**ladder("caerdydd"), "languages": {"supervisor": "cy"}},
    },
]


def recommendations(today: dt.date) -> list[dict]:
    def day(n: int) -> str:
        return (today + dt.timedelta(days=n)).isoformat()

    def agreed(panel, title, action, done_means, owner_role, owner_email, due, agreed_on, themes, **welsh):
        owner = {"role": owner_role, "email": owner_email, **({"language": welsh["language"]} if welsh else {})}
        return {"panel": panel, "raised_on": day(agreed_on - 7), "title": title, "detail": "",
                "themes": themes, "decision": "agreed", **({"titles": welsh["titles"]} if welsh else {}),
                "commitment": {"action": action, "done_means": done_means, "owner": owner,
                               "due": day(due), "agreed_on": day(agreed_on)}}

    return [
        agreed("mentoring-cohort", "Officers explain why they stop young people",
               "Brief every response officer on giving the grounds for a stop, in plain words",
               "Every response officer briefed; the cohort has seen the briefing",
               "Inspector, response team", "inspector.response@example.org", due=-5, agreed_on=-60,
               themes=["stop-and-search", "respect"]),
        agreed("mentoring-cohort", "Come back and tell us what changed",
               "Hold a feedback session with the cohort every three months",
               "Two sessions held, with notes shared with the cohort",
               "Sergeant, schools team", "sergeant.schools@example.org", due=-20, agreed_on=-120,
               themes=["communication", "youth-voice"]),
        agreed("mentoring-cohort", "Mentoring counts in officers' development",
               "Make reverse mentoring part of officers' development reviews",
               "The review form has a mentoring section, in use in the BCU",
               "Superintendent, people", "superintendent.people@example.org", due=-40, agreed_on=-200,
               themes=["training", "trust"]),
        agreed("youth-led-training", "Young people help train new officers",
               "Run a youth-led session in every new officer's training",
               "Sessions in the training plan for all three boroughs",
               "Chief Inspector, training", "chief-inspector.training@example.org", due=10, agreed_on=-30,
               themes=["training", "youth-voice"]),
        agreed("youth-led-training", "Safer routes to school",
               "Agree patrol times near three schools with the panel",
               "Patrol times published to the panel and kept for a term",
               "Inspector, neighbourhoods", "inspector.neighbourhoods@example.org", due=90, agreed_on=-10,
               themes=["safety", "schools"]),
        agreed("youth-led-training", "Tell schools when officers will visit",
               "Share a termly visit timetable with every secondary school",
               "Timetable sent to all schools; the panel has a copy",
               "Sergeant, schools team", "sergeant.schools@example.org", due=-2, agreed_on=-200,
               themes=["schools", "communication"]),
        agreed("mentoring-cohort", "Let young people see the training they gave",
               "Film a short clip of the mentoring sessions for new officers",
               "Clip shown at two induction days", "Inspector, training", "inspector.training@example.org",
               due=30, agreed_on=-40, themes=["training", "youth-voice"]),
        agreed("mentoring-cohort", "Answer complaints from young people faster",
               "Reply to every complaint from an under-18 within 10 days",
               "Three months of replies within 10 days, checked by the panel",
               "Chief Inspector, professional standards", "chief-inspector.standards@example.org",
               due=60, agreed_on=-30, themes=["complaints"]),
        agreed("youth-led-training", "A youth-friendly stop and search leaflet",
               "Write a leaflet with the panel and hand it out at every stop",
               "Leaflet printed and in every response car", "Inspector, response team",
               "inspector.response@example.org", due=45, agreed_on=-20, themes=["stop-and-search"]),
        agreed("youth-led-training", "Young people sit on the stop and search scrutiny group",
               "Give the panel two seats at every quarterly scrutiny meeting",
               "Two panel members attended four meetings in a row", "Superintendent, neighbourhoods",
               "superintendent.neighbourhoods@example.org", due=25, agreed_on=-185,
               themes=["stop-and-search", "youth-voice"]),  # on time, but six months on: review due
        agreed("mentoring-cohort", "Explain every stop, every time",
               "Brief every response officer on explaining a stop to a young person",
               "All response officers briefed; the panel hears stops explained", "Inspector, response team",
               "inspector.response@example.org", due=-20, agreed_on=-120, themes=["stop-and-search", "respect"]),
        agreed("panel-ieuenctid-caerdydd", "Swyddogion yn siarad Cymraeg gyda phobl ifanc",
               "Rhoi bathodyn 'Cymraeg' i bob swyddog sy'n siarad Cymraeg, a'u hanfon i'r ysgolion",
               "Pob swyddog sy'n siarad Cymraeg yn gwisgo'r bathodyn; y panel wedi gweld y rhestr",
               "Rhingyll, tîm ysgolion", "rhingyll.ysgolion@example.org", due=-3, agreed_on=-50,
               themes=["communication", "respect"], language="cy",
               titles={"cy": "Swyddogion yn siarad Cymraeg gyda phobl ifanc",
                       "en": "Officers speak Welsh with young people"}),
        agreed("panel-ieuenctid-caerdydd", "Cyfarfod y panel yn yr orsaf bob tymor",
               "Cynnal cyfarfod y panel yng ngorsaf yr heddlu unwaith y tymor, gyda'r arolygydd",
               "Tri chyfarfod wedi'u cynnal, a'r nodiadau wedi'u rhannu", "Arolygydd, ymgysylltu ag ieuenctid",
               "arolygydd.caerdydd@example.org", due=40, agreed_on=-15, themes=["youth-voice"], language="cy",
               titles={"cy": "Cyfarfod y panel yn yr orsaf bob tymor",
                       "en": "The panel meets at the station every term"}),
        {"panel": "youth-led-training", "raised_on": day(-70), "title": "Publish stop and search numbers for under-18s",
         "detail": "Every month, by borough.", "themes": ["stop-and-search", "trust"], "decision": "pending",
         "respond_within_days": 1},
        {"panel": "mentoring-cohort", "raised_on": day(-30), "title": "Officers visit every youth club weekly",
         "detail": "", "themes": ["communication"], "decision": "declined",
         "decline_reason": "Not enough officers for weekly visits; we offered monthly visits instead.",
         "decline_code": "not_workable"},
        {"panel": "youth-led-training", "raised_on": day(-20), "title": "Free bus travel to panel meetings",
         "detail": "", "themes": ["youth-voice"], "decision": "declined", "decline_code": "no_power",
         "who_can": "the council's transport team",
         "decline_reason": "Police cannot pay for bus passes; the council's transport team decides on them."},
    ]


# The panels' answers to police decisions: (recommendation title, reply, comment, a counter-proposal's title).
REPLIES = [
    ("Officers visit every youth club weekly", "insist",
     "Monthly is not enough: the clubs where young people are stopped most need weekly visits.", None),
    ("Free bus travel to panel meetings", "counter",
     "We understand. Could police ask the council with us?",
     "Police ask the council's transport team for panel bus passes, with the panel"),
]


# What happens after the example is loaded, so the page shows every state:
# (recommendation title, what the police do, what the panel answers).
FOLLOW_UPS = [
    ("Let young people see the training they gave", "done", "confirmed"),      # kept
    ("Answer complaints from young people faster", "done", "disputed"),        # disputed, escalated
    ("A youth-friendly stop and search leaflet", "withdraw", None),            # withdrawn with a reason
    ("Safer routes to school", "update", None),                                # on track
    ("Young people help train new officers", "delay", None),                   # late, and said so early
    ("Explain every stop, every time", "done", "reopen"),                      # kept, then reopened
]
