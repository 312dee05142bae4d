"""Kept, confirmed by the panel, and kept, not checked by the panel, apart everywhere (contract §5
"Closing the loop"), and a dispute that must say what is not done: a real tracker, PostgreSQL and
Kafka. One promise the panel confirms, one the scan counts as kept when the panel never answers; the
API, the panel's page, its session pack and its Atom feed tell them apart. An empty dispute is refused
by the API (a 422 naming `comment`) and by the panel's form (the error beside the field), with nothing
recorded either way."""

from __future__ import annotations

import datetime as dt
import html
import re

import httpx
import pytest
import sqlalchemy as sa

from services.common.clock import london_today
from services.common.db import make_engine
from tests.support.api import issue_token
from tests.support.events import agreed_event, panel_code, panel_event
from tests.support.notices import publish_all
from tests.support.procs import wait_until
from tests.support.topics import read

CONFIRMED, UNCHECKED = "Kept, confirmed by the panel", "Kept, not checked by the panel"


@pytest.fixture
def world(services, stack, database_url, uid, prefix):
    """Four promises marked done: `panel` the panel confirms, `silent` it never answers (past the window),
    `api` and `form` wait for its check."""
    tracker = services("tracker", FOLLOWTHROUGH_SCAN_INTERVAL="1", FOLLOWTHROUGH_PAGE_RATE_LIMIT="10000/minute")
    today = london_today()
    events = [agreed_event(uid, today + dt.timedelta(days=30)) for _ in range(4)]
    publish_all(stack.bootstrap, prefix + "followthrough.panels", [panel_event(uid)])
    publish_all(stack.bootstrap, prefix + "followthrough.recommendations", events)
    ids = dict(zip(("panel", "silent", "api", "form"), (e["data"]["commitment"]["id"] for e in events), strict=True))
    api = f"{tracker.url}/api/v1/commitments"
    wait_until(lambda: all(httpx.get(f"{api}/{cid}").status_code == 200 for cid in ids.values()), timeout=60)
    admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
    done = {"note": "Done", "done": True, "evidence_note": "A list", "summary": "Every officer was briefed."}
    for cid in ids.values():
        assert httpx.post(f"{api}/{cid}/updates", json=done, headers=admin).status_code == 200
    engine = make_engine(database_url)
    yield tracker, api, ids, panel_code(uid), f"panel-{uid}", engine, today
    engine.dispose()


def _entries(api: str, cid: str) -> list[str]:
    return [e["kind"] for e in httpx.get(f"{api}/{cid}").json()["timeline"]]


def test_kept_by_the_panel_and_kept_with_no_answer_are_told_apart_everywhere(world, stack, prefix):
    tracker, api, ids, code, slug, engine, today = world
    r = httpx.post(f"{api}/{ids['panel']}/verdict", json={"verdict": "confirmed", "access_code": code})
    assert r.status_code == 200, r.text  # a confirmation may say nothing
    assert (r.json()["status"], r.json()["kept_by"]) == ("kept", "panel")
    with engine.begin() as conn:  # marked done longer ago than the 28-day window; the scan looks today
        conn.execute(sa.text("UPDATE tracker_commitments SET done_on = :d, next_action_on = :t WHERE id = :c"),
                     {"d": today - dt.timedelta(days=40), "t": today, "c": ids["silent"]})
    wait_until(lambda: httpx.get(f"{api}/{ids['silent']}").json()["status"] == "kept", timeout=30)
    silent = httpx.get(f"{api}/{ids['silent']}").json()
    assert silent["kept_by"] == "no_answer" and silent["timeline"][-1]["kind"] == "kept"
    assert httpx.get(f"{api}/{ids['api']}").json()["kept_by"] is None  # done, not kept
    listed = {c["id"]: c["kept_by"] for c in httpx.get(f"{api}?panel={slug}").json()}
    assert (listed[ids["panel"]], listed[ids["silent"]], listed[ids["api"]]) == ("panel", "no_answer", None)
    event = read(stack.bootstrap, prefix + "followthrough.commitments", timeout=15,
                 where=lambda e: e["subject"] == ids["silent"] and e["type"] == "commitment.confirmed",
                 until=lambda found: len(found) >= 1)[0]
    assert event["data"]["commitment"]["kept_by"] == "no_answer"

    page = httpx.get(f"{tracker.url}/panels/{slug}").text
    assert _badge(page, ids["panel"]) == CONFIRMED and _badge(page, ids["silent"]) == UNCHECKED
    assert f"{UNCHECKED}: 1" in page  # the summary counts it apart from "Done and checked"
    session = httpx.get(f"{tracker.url}/panels/{slug}/session", params={"since": (today - dt.timedelta(days=60))
                                                                       .isoformat()}).text
    assert f'<span class="badge kept">{CONFIRMED}</span>' in session
    assert f'<span class="badge unchecked">{UNCHECKED}</span>' in session
    feed = httpx.get(f"{tracker.url}/panels/{slug}/feed.xml").text
    assert f"<title>{CONFIRMED}: Brief officers</title>" in feed
    assert f"<title>{UNCHECKED}: Brief officers</title>" in feed
    welsh = httpx.get(f"{tracker.url}/panels/{slug}?lang=cy").text
    welsh = html.unescape(welsh)
    assert "Wedi'i gadw, heb i'r panel wirio" in welsh and "Wedi'i gadw, a'r panel wedi cadarnhau" in welsh


def _badge(page: str, cid: str) -> str:
    card = page.split(f'id="c-{cid}"')[1].split("</article>")[0]
    return re.search(r'<span class="badge [a-z]+">([^<]+)</span>', card).group(1)


@pytest.mark.parametrize("comment", ["", "   "])
def test_a_dispute_that_says_nothing_is_refused_by_the_api_and_nothing_is_recorded(world, comment):
    tracker, api, ids, code, slug, engine, today = world
    r = httpx.post(f"{api}/{ids['api']}/verdict", json={"verdict": "disputed", "comment": comment,
                                                         "access_code": code})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    (error,) = r.json()["errors"]
    assert error["field"] == "comment" and "say what is not done yet" in error["message"]
    after = httpx.get(f"{api}/{ids['api']}").json()
    assert after["status"] == "done" and "disputed" not in _entries(api, ids["api"])
    said = httpx.post(f"{api}/{ids['api']}/verdict", json={"verdict": "disputed", "access_code": code,
                                                           "comment": "The posters are not up."})
    assert said.status_code == 200 and said.json()["status"] == "disputed"


def test_a_dispute_that_says_nothing_is_refused_by_the_form_beside_the_field(world):
    tracker, api, ids, code, slug, engine, today = world
    cid = ids["form"]
    with httpx.Client(base_url=tracker.url, follow_redirects=False) as phone:
        page = phone.get(f"/panels/{slug}").text
        assert f'<label for="comment-{cid}">What is not done yet?</label>' in page
        csrf = page.split('name="csrf" value="')[1].split('"')[0]
        form = {"csrf": csrf, "verdict": "disputed", "comment": "  ", "access_code": code}
        r = phone.post(f"/panels/{slug}/commitments/{cid}/verdict", data=form)
        assert r.status_code == 422, r.text
        beside = re.search(rf'<p class="error" id="comment-error-{cid}">([^<]+)</p>\s*<textarea id="comment-{cid}"',
                           r.text)
        assert beside and "say what is not done yet" in beside.group(1), r.text
        assert f'aria-describedby="comment-hint-{cid} comment-error-{cid}" aria-invalid="true"' in r.text
        assert httpx.get(f"{api}/{cid}").json()["status"] == "done" and "disputed" not in _entries(api, cid)
        csrf = r.text.split('name="csrf" value="')[1].split('"')[0]
        r = phone.post(f"/panels/{slug}/commitments/{cid}/verdict",
                       data={**form, "csrf": csrf, "comment": "Nobody told us why we were stopped."})
        assert r.status_code == 303, r.text
    assert httpx.get(f"{api}/{cid}").json()["status"] == "disputed"
