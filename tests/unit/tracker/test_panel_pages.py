"""The panel's side, in process on SQLite (the browser and integration suites run the real service):
the trust pulse by API and by form, its results hidden below 5 answers on every page that shows it,
the paged panel page, the kept card's "what changed", and the session pack."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from schemas import Recommendation, RecommendationDeclined, make_event, parse_event
from services.common import problems
from services.common.clock import SimulatedClock
from services.tracker.bootstrap import bootstrap
from services.tracker.settings import TrackerSettings
from services.tracker.usecases import actions
from services.tracker.web import errors as web_errors
from services.tracker.web import panel, pulse, register, respond, sessionpack
from tests.support.events import agreed_event, panel_code, panel_event

UID = "unitpages"
SLUG = f"panel-{UID}"
TODAY = dt.date(2026, 11, 26)


class World:
    def __init__(self, tmp_path) -> None:
        settings = TrackerSettings(database_url=f"sqlite:///{tmp_path / 'tracker.db'}",
                                   followthrough_secret_key="unit-test-secret-" + "x" * 32)
        self.clock = SimulatedClock(dt.datetime(2026, 11, 26, 12, tzinfo=dt.timezone.utc))
        self.tracker = t = bootstrap(settings, self.clock)
        self.handlers = t.handlers()
        self.feed(panel_event(UID))
        app = FastAPI()
        problems.install(app)
        web_errors.install(app)
        for module in (respond, register, panel, sessionpack, pulse):
            app.include_router(module.router)
        s = app.state
        s.settings, s.engine, s.clock, s.csrf, s.access = t.settings, t.engine, t.clock, t.csrf, t.access
        s.storage = t.storage
        s.page_cache, s.after_write = t.page_cache, t.page_cache.clear
        self.client = TestClient(app)

    def feed(self, event: dict) -> None:
        self.handlers.handle(*parse_event(json.dumps(event).encode()))

    def agree(self, due_in: int, title: str = "Explain stops", action: str = "Brief officers") -> str:
        event = agreed_event(UID, TODAY + dt.timedelta(days=due_in), agreed_on=TODAY - dt.timedelta(days=60))
        event["data"]["recommendation"]["title"] = title
        event["data"]["recommendation"]["raised_on"] = (TODAY - dt.timedelta(days=63)).isoformat()
        event["data"]["commitment"]["action"] = action
        self.feed(event)
        return event["data"]["commitment"]["id"]

    def decline(self, title: str, reason: str, raised_on: dt.date) -> None:
        rec = Recommendation(id=uuid.uuid4(), panel=SLUG, raised_on=raised_on, title=title, detail="",
                             themes=["other"])
        self.feed(make_event("recommendation.declined", str(rec.id),
                             RecommendationDeclined(recommendation=rec, reason=reason), source="test"))

    def finish(self, cid: str, summary: str, verdict: str | None = None) -> None:
        actions.run(self.tracker.storage, self.clock, cid, actions.post_update, note="Done", percent=None,
                    evidence_url=None, evidence_note="A list", done=True, summary=summary)
        if verdict:
            actions.run(self.tracker.storage, self.clock, cid, actions.verdict, verdict=verdict, comment="")

    def answer(self, n: int, code: str | None = None) -> list:
        return [self.client.post(f"/api/v1/panels/{SLUG}/pulse",
                                 json={"access_code": code or panel_code(UID), "trust": 1 + i % 5, "kept": "yes"})
                for i in range(n)]


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    yield w
    w.tracker.engine.dispose()


def test_the_pulse_api_takes_one_anonymous_answer_with_the_panels_code(world):
    ok = world.answer(1)[0]
    assert ok.status_code == 201 and ok.json() == {"panel": SLUG, "period": "2026-11", "answers": 1, "shown": False}
    assert world.answer(1, code="guess")[0].status_code == 403
    post = world.client.post
    for body in ({"access_code": panel_code(UID), "trust": 6, "kept": "yes"},
                 {"access_code": panel_code(UID), "trust": 3, "kept": "maybe"},
                 {"access_code": panel_code(UID), "trust": 3, "kept": "yes", "comment": "a name"}):
        r = post(f"/api/v1/panels/{SLUG}/pulse", json=body)
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), body
    r = post("/api/v1/panels/no-such-panel/pulse", json={"access_code": "x", "trust": 3, "kept": "yes"})
    assert r.status_code == 404


def test_pulse_results_are_hidden_at_four_answers_and_shown_at_five_on_every_page(world):
    world.agree(10)
    urls = [f"/panels/{SLUG}", f"/panels/{SLUG}/session", "/register"]
    assert [r.json()["shown"] for r in world.answer(4)] == [False] * 4
    for url in urls:
        html = world.client.get(url).text
        assert 'id="pulse-results"' not in html and 'id="pulse-none"' in html, url
    page = world.client.get(f"/panels/{SLUG}").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = world.client.post(f"/panels/{SLUG}/pulse", data={"csrf": csrf, "trust": "5", "kept": "not_sure",
                                                         "access_code": panel_code(UID)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(f"/panels/{SLUG}?done=pulse")
    assert "Your answer is counted" in world.client.get(r.headers["location"]).text
    for url in urls:
        html = world.client.get(url).text
        assert 'id="pulse-results"' in html and "out of 5" in html, url
    assert "November 2026: trust is 3.0 out of 5. 80% said police kept their promises" in \
        world.client.get(f"/panels/{SLUG}").text


def test_the_pulse_form_refuses_a_wrong_code_and_a_missing_answer_in_words(world):
    page = world.client.get(f"/panels/{SLUG}").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = world.client.post(f"/panels/{SLUG}/pulse", data={"csrf": csrf, "trust": "5", "kept": "yes",
                                                         "access_code": "guess"})
    assert r.status_code == 403 and "not right for this panel" in r.text
    r = world.client.post(f"/panels/{SLUG}/pulse", data={"csrf": csrf, "trust": "5", "access_code": "x"})
    assert r.status_code == 422 and "Choose an answer to both questions" in r.text


def test_two_hundred_commitments_are_paged_under_50_kb_with_what_needs_the_panel_first(world):
    dues = [-30 + (i % 9) * 10 for i in range(200)]
    ids = [world.agree(d, title=f"Idea {i}") for i, d in enumerate(dues)]
    for cid in ids[150:160]:
        world.finish(cid, "It was done.")
    seen, page, sizes = [], 1, []
    while True:
        r = world.client.get(f"/panels/{SLUG}?page={page}")
        sizes.append(len(r.content))
        seen += re.findall(r'<article class="card" id="c-([0-9a-f-]+)"', r.text)
        if 'rel="next"' not in r.text:
            break
        page += 1
    assert max(sizes) < 50_000 and page > 1, sizes
    assert sorted(seen) == sorted(ids)  # every card once
    # Waiting for the panel's check first, then the late ones; the others after them, folded.
    assert set(seen[:10]) == set(ids[150:160])
    urgent = set(ids[150:160]) | {cid for cid, d in zip(ids, dues, strict=True) if d < 0}
    assert set(seen[:len(urgent)]) == urgent
    assert "Late, or waiting for you" in world.client.get(f"/panels/{SLUG}").text
    last = world.client.get(f"/panels/{SLUG}?page={page}").text
    assert '<details class="group">' in last and "Late, or waiting for you" not in last


def test_a_kept_commitment_leads_with_what_changed_for_you(world):
    cid = world.agree(20)
    world.finish(cid, "Officers now say why they stop you.", verdict="confirmed")
    html = world.client.get(f"/panels/{SLUG}").text
    card = re.search(rf'<article class="card" id="c-{cid}".*?</article>', html, re.S).group(0)
    first = re.sub(r"<[^>]+>", "", card).split()
    assert " ".join(first[:11]) == "What changed for you: Officers now say why they stop you."
    assert card.index("What changed for you") < card.index("You said")


def test_the_session_pack_names_what_is_late_waiting_declined_and_kept_since_the_last_session(world):
    late = world.agree(-12, title="Explain stops", action="Brief every officer on stops")
    waiting = world.agree(30, title="Youth club visits", action="Visit the youth club monthly")
    world.finish(waiting, "Officers came to the club twice.")
    kept = world.agree(40, title="Say sorry", action="Write to the panel")
    world.finish(kept, "The chief wrote to you.", verdict="confirmed")
    world.decline("Free bus passes", "The police do not run the buses.", TODAY - dt.timedelta(days=3))
    html = world.client.get(f"/panels/{SLUG}/session").text
    assert f"since your last meeting on {TODAY.day - 3} November 2026" in html  # the latest raised_on
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    for words in ("Brief every officer on stops", "Late by 12 days", "Officers came to the club twice.",
                  "The police do not run the buses.", "The chief wrote to you."):
        assert words in text, words
    assert "@page{size:A4" in html.replace(" ", "") and "<script" not in html
    assert "@example.org" not in html
    earlier = world.client.get(f"/panels/{SLUG}/session?since=2026-01-01").text
    assert "since your last meeting on 1 January 2026" in earlier
    assert world.client.get(f"/panels/{SLUG}/session?since=26-11-2026").status_code == 422
    assert world.client.get("/panels/no-such-panel/session").status_code == 404
    assert late


def test_with_no_recommendations_the_pack_looks_back_28_days(world):
    html = world.client.get(f"/panels/{SLUG}/session").text
    assert "since your last meeting on 29 October 2026" in html


def _pulse_form(world, trust: str = "4", code: str | None = None):
    page = world.client.get(f"/panels/{SLUG}").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    return world.client.post(f"/panels/{SLUG}/pulse", data={"csrf": csrf, "trust": trust, "kept": "yes",
                                                            "access_code": code or panel_code(UID)},
                             follow_redirects=False)


def test_a_browser_answers_the_pulse_once_a_month_and_the_page_says_how_many_answered(world):
    assert _pulse_form(world).status_code == 303
    again = _pulse_form(world, trust="1")
    assert again.status_code == 409, "a second answer from the same browser in the same month is refused"
    assert "already answered this month" in again.text
    body = {"access_code": panel_code(UID), "trust": 1, "kept": "no"}
    by_api = world.client.post(f"/api/v1/panels/{SLUG}/pulse", json=body)  # the browser's cookie goes along
    assert by_api.status_code == 409 and by_api.headers["content-type"].startswith("application/problem+json")
    assert "So far 1 of you answered in November 2026" in world.client.get(f"/panels/{SLUG}").text
    world.client.cookies.set("ft_pulse", "made-up")  # a cookie we did not sign counts for nothing
    assert world.client.post(f"/api/v1/panels/{SLUG}/pulse", json=body).status_code == 201
    world.client.cookies.clear()  # clearing cookies answers again: the count on the page is what shows it
    assert _pulse_form(world).status_code == 303
    assert "So far 3 of you answered in November 2026" in world.client.get(f"/panels/{SLUG}/session").text
    world.clock.set(dt.datetime(2026, 12, 1, 9, tzinfo=dt.timezone.utc))
    assert _pulse_form(world).status_code == 303, "a new month, a new answer"
