"""A panel whose promises are in every state a page shows, through the real services: late, open
(with an update), waiting for the panel's check, kept, disputed, withdrawn, waiting for a later
deadline's approval, a declined idea and one police said yes to in principle. The page tests (the
Nu checker's and the Welsh parity's) seed it the same way."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import httpx

from schemas import Recommendation, RecommendationDeclined, RecommendationRecorded, make_event
from services.common.clock import london_today
from tests.support.api import issue_token
from tests.support.events import agreed_event, panel_code, panel_event, publish
from tests.support.notices import publish_all
from tests.support.procs import wait_until


@dataclass(frozen=True)
class EveryState:
    late: str
    open: str
    waiting: str
    kept: str
    disputed: str
    dropped: str
    extended: str
    owner: str  # the owner of every one of them (agreed_event's)
    far: str  # the later deadline asked for `extended`, past the limit: the supervisor must approve it
    code: str  # the panel's access code
    today: dt.date


def _ok(r: httpx.Response) -> None:
    assert r.status_code == 200, (r.request.url, r.status_code, r.text)


def seed_every_state(url: str, stack, database_url: str, uid: str, prefix: str) -> EveryState:
    publish(stack.bootstrap, panel_event(uid), prefix)
    today = london_today()
    events = [agreed_event(uid, today + dt.timedelta(days=d)) for d in (-20, 10, 20, 30, 40, 50, 60)]
    publish_all(stack.bootstrap, prefix + "followthrough.recommendations", events)
    rec = Recommendation(id=uuid.uuid4(), panel=f"panel-{uid}", raised_on=today - dt.timedelta(days=3),
                         title="Free bus passes", detail="", themes=["other"])
    publish(stack.bootstrap, make_event("recommendation.declined", str(rec.id), RecommendationDeclined(
        recommendation=rec, reason="The police do not run the buses."), source="test"), prefix)
    rec = Recommendation(id=uuid.uuid4(), panel=f"panel-{uid}", raised_on=today - dt.timedelta(days=3),
                         title="Youth workers at every station", detail="", themes=["trust"])
    decide_by = today + dt.timedelta(days=20)
    publish(stack.bootstrap, make_event("recommendation.recorded", str(rec.id), RecommendationRecorded(
        recommendation=rec, respond_by=decide_by, decision="in_principle", reason="We like it. We need the money.",
        decide_by=decide_by), source="test"), prefix)
    late, open_, waiting, kept, disputed, dropped, extended = (e["data"]["commitment"]["id"] for e in events)
    wait_until(lambda: len(httpx.get(f"{url}/api/v1/commitments?panel=panel-{uid}").json()) == len(events),
               timeout=60)
    admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
    api = f"{url}/api/v1/commitments"
    done = {"note": "Done", "done": True, "evidence_note": "A list", "summary": "Every officer was briefed."}
    for cid in (waiting, kept, disputed):
        _ok(httpx.post(f"{api}/{cid}/updates", json=done, headers=admin))
    code = panel_code(uid)
    for cid, verdict in ((kept, "confirmed"), (disputed, "disputed")):
        _ok(httpx.post(f"{api}/{cid}/verdict", json={"verdict": verdict, "comment": "Seen", "access_code": code}))
    _ok(httpx.post(f"{api}/{open_}/updates", json={"note": "Briefing written", "percent": 30}, headers=admin))
    _ok(httpx.post(f"{api}/{dropped}/withdrawal", json={"reason": "Funding ended"}, headers=admin))
    far = (today + dt.timedelta(days=60 + 200)).isoformat()
    _ok(httpx.post(f"{api}/{extended}/extensions", json={"new_due": far, "reason": "Budget"}, headers=admin))
    return EveryState(late, open_, waiting, kept, disputed, dropped, extended,
                      owner=events[0]["data"]["commitment"]["owner"]["email"], far=far, code=code, today=today)
