"""The story an earlier release lives through before it is upgraded, told through its own HTTP API
and CLI, as a force would have used it: two panels, late and future commitments, one marked done
and waiting for the panel, a pending recommendation with its response clock running, and, from
0.2.0 on, a decline the panel insists on and a trust pulse."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import httpx

from services.common.clock import london_today
from tests.support.procs import wait_until
from tests.support.releases import Installed

REPLIES_AND_PULSE = (0, 2, 0)  # the release that brought the panel's right of reply and the pulse


@dataclass
class Story:
    uid: str
    panels: dict[str, str] = field(default_factory=dict)  # slug -> access code given at registration
    tokens: dict[str, str] = field(default_factory=dict)  # admin, facilitator (panel A), owner (of D and F)
    late: list[str] = field(default_factory=list)  # commitment ids
    future: str = ""
    done: str = ""
    pending: str = ""  # recommendation id, waiting for the police's answer
    insisted: str = ""  # recommendation id (0.2.0 on): declined, then the panel insisted

    @property
    def panel_a(self) -> str:
        return f"panel-{self.uid}"

    @property
    def panel_b(self) -> str:
        return f"panel-{self.uid}b"

    @property
    def owner(self) -> str:
        return f"owner-{self.uid}@example.org"

    def panel(self, slug: str) -> dict:
        return {"slug": slug, "name": f"Youth Panel {slug}", "area": "Waltham Forest",
                "police_lead": {"role": "Inspector, engagement", "email": f"lead-{slug}@example.org"},
                "escalation": {"supervisor": f"supervisor-{slug}@example.org",
                               "senior_lead": f"senior-{slug}@example.org", "board": f"board-{slug}@example.org"}}

    def agreed(self, slug: str, title: str, due: dt.date, owner: str | None = None) -> dict:
        today = london_today()
        agreed_on = min(due - dt.timedelta(days=30), today)
        return {"panel": slug, "raised_on": (agreed_on - dt.timedelta(days=30)).isoformat(), "title": title,
                "detail": "Young people asked for this at the panel's meeting.", "themes": ["respect"],
                "decision": "agreed",
                "commitment": {"action": f"Do this: {title}", "done_means": "The panel has seen it done",
                               "owner": {"role": "Chief Inspector", "email": owner or f"owner-{slug}@example.org"},
                               "due": due.isoformat(), "agreed_on": agreed_on.isoformat()}}

    def pending_body(self, slug: str, title: str, raised_on: dt.date, within: int) -> dict:
        return {"panel": slug, "raised_on": raised_on.isoformat(), "title": title,
                "detail": "The panel is waiting for an answer.", "themes": ["respect"], "decision": "pending",
                "respond_within_days": within}


def _ok(r: httpx.Response, status: int = 201) -> dict:
    assert r.status_code == status, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    return r.json()


def play(old: Installed, intake: str, tracker: str, env: dict[str, str], uid: str) -> Story:
    """Tell the story to the running release `old`; return what later checks need."""
    story, today = Story(uid), london_today()
    issue = lambda role, email, *more: old.cli(  # noqa: E731
        "token", "issue", "--role", role, "--email", email, *more, env=env).strip().splitlines()[-1]
    story.tokens = {"admin": issue("admin", f"admin-{uid}@example.org"),
                    "facilitator": issue("facilitator", f"facilitator-{uid}@example.org", "--panel", story.panel_a),
                    "owner": issue("owner", story.owner)}
    admin = {"Authorization": f"Bearer {story.tokens['admin']}"}
    facilitator = {"Authorization": f"Bearer {story.tokens['facilitator']}"}
    for slug in (story.panel_a, story.panel_b):
        story.panels[slug] = _ok(httpx.post(f"{intake}/api/v1/panels", json=story.panel(slug), headers=admin))[
            "access_code"]

    def record(body: dict, headers: dict) -> dict:
        return _ok(httpx.post(f"{intake}/api/v1/recommendations", json=body, headers=headers))

    a, b = story.panel_a, story.panel_b
    late = [(a, "Explain every stop", 5, facilitator), (a, "Meet the panel each term", 20, facilitator),
            (b, "Publish stop figures", 3, admin)]
    story.late = [record(story.agreed(slug, title, today - dt.timedelta(days=days)), who)["commitment_id"]
                  for slug, title, days, who in late]
    story.future = record(story.agreed(a, "Train new officers with the panel", today + dt.timedelta(days=90),
                                       owner=story.owner), facilitator)["commitment_id"]
    story.done = record(story.agreed(a, "Put up posters about your rights", today + dt.timedelta(days=30),
                                     owner=story.owner), facilitator)["commitment_id"]
    # From 0.2.0 the response clock starts when it was raised: due four days ago, its first notice goes
    # before the upgrade and its second after it. 0.1.0 started it when recorded: due tomorrow, its
    # first notice comes after the upgrade.
    within = 56 if old.release.number >= REPLIES_AND_PULSE else 1
    story.pending = record(story.pending_body(a, "Walk the estate with us", today - dt.timedelta(days=60), within),
                           facilitator)["recommendation_id"]

    owner = {"Authorization": f"Bearer {story.tokens['owner']}"}
    _wait_for(f"{tracker}/api/v1/commitments/{story.done}")  # the tracker has read intake's event
    _ok(httpx.post(f"{tracker}/api/v1/commitments/{story.done}/updates", headers=owner, json={
        "note": "Posters are up in every station.", "done": True, "evidence_url": "https://example.org/posters",
        "summary": "Posters about your rights are up in every station."}), 200)

    if old.release.number >= REPLIES_AND_PULSE:
        code = story.panels[a]
        story.insisted = record({"panel": a, "raised_on": (today - dt.timedelta(days=10)).isoformat(),
                                 "title": "Open the station gym to young people",
                                 "detail": "A safe place in the evenings.", "themes": ["respect"],
                                 "decision": "declined", "decline_code": "no_budget",
                                 "decline_reason": "We have no money for staff in the evenings this year."},
                                facilitator)["recommendation_id"]
        _wait_for(f"{tracker}/api/v1/recommendations/{story.insisted}")
        _ok(httpx.post(f"{tracker}/api/v1/recommendations/{story.insisted}/reply",
                       json={"reply": "insist", "comment": "Please ask again.", "access_code": code}))
        _ok(httpx.post(f"{tracker}/api/v1/panels/{a}/pulse",
                       json={"access_code": code, "trust": 3, "kept": "not_sure"}))
    return story


def _wait_for(url: str) -> None:
    wait_until(lambda: httpx.get(url).status_code == 200, timeout=30)
