"""The panel's side against a real tracker, PostgreSQL and Kafka: 200 promises make panel pages
under 50 KB each, and a trust-pulse answer puts the period's shown counts (and nothing else) on
`followthrough.pulses`."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from schemas.models import PulseRecorded
from services.common.clock import london_today
from tests.support.api import issue_token
from tests.support.events import agreed_event, panel_code, panel_event, publish
from tests.support.notices import publish_all
from tests.support.topics import read


def test_two_hundred_commitments_make_panel_pages_under_50_kb_each(services, stack, database_url, uid, prefix):
    tracker = services("tracker", FOLLOWTHROUGH_PAGE_RATE_LIMIT="10000/minute")  # the test reads every page often
    publish(stack.bootstrap, panel_event(uid), prefix)
    today = london_today()
    events = [agreed_event(uid, today + dt.timedelta(days=-40 + (i % 20) * 7)) for i in range(200)]
    for i, e in enumerate(events):
        e["data"]["recommendation"]["title"] = f"Idea {i}: explain why officers stop young people in the street"
        e["data"]["commitment"]["action"] = f"Brief all response officers on how to explain a stop ({i})"
    publish_all(stack.bootstrap, prefix + "followthrough.recommendations", events)
    ids = {e["data"]["commitment"]["id"] for e in events}
    listing = f"{tracker.url}/api/v1/commitments?panel=panel-{uid}&limit=500"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(httpx.get(listing).json()) < 200:
        time.sleep(0.5)
    admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
    done = {"note": "Done", "done": True, "evidence_note": "Attendance list", "summary": "Every officer was briefed."}
    for cid in list(ids)[:40]:  # forty waiting for the panel's check: forty forms
        r = httpx.post(f"{tracker.url}/api/v1/commitments/{cid}/updates", json=done, headers=admin)
        assert r.status_code == 200, r.text
    # The scan is still escalating the late ones (each entry grows a card and moves the page breaks):
    # read every page until one reading holds each card once. Every page read must be under 50 KB.
    deadline = time.monotonic() + 60
    while True:
        seen, sizes = _read_pages(f"{tracker.url}/panels/panel-{uid}")
        assert max(sizes) < 50_000, sizes
        if sorted(seen) == sorted(ids) or time.monotonic() > deadline:
            break
        time.sleep(1)
    register = len(httpx.get(f"{tracker.url}/register").content)
    print(f"\npanel pages: {sizes} bytes; register: {register} bytes")
    assert len(sizes) > 1 and sorted(seen) == sorted(ids)
    assert register < 50_000


def _read_pages(url: str) -> tuple[list[str], list[int]]:
    seen, sizes, page = [], [], 1
    while True:
        r = httpx.get(f"{url}?page={page}")
        assert r.status_code == 200
        sizes.append(len(r.content))
        seen += re.findall(r'<article class="card" id="c-([0-9a-f-]+)"', r.text)
        if 'rel="next"' not in r.text:
            return seen, sizes
        page += 1


def test_a_pulse_answer_publishes_the_periods_counts_only(services, stack, uid, prefix, topic):
    tracker = services("tracker")
    publish(stack.bootstrap, panel_event(uid), prefix)
    url = f"{tracker.url}/api/v1/panels/panel-{uid}/pulse"
    body = {"access_code": panel_code(uid), "trust": 4, "kept": "no"}
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and httpx.post(url, json={**body, "access_code": "x"}).status_code == 404:
        time.sleep(0.2)  # the panel's event is consumed
    assert httpx.post(url, json=body).status_code == 201
    with ThreadPoolExecutor(8) as pool:  # answers at once are each counted once: the increments are in SQL
        answers = list(pool.map(lambda t: httpx.post(url, json={**body, "trust": t, "kept": "yes"}), [1, 2, 3, 5, 5]))
    assert [a.status_code for a in answers] == [201] * 5
    events = read(stack.bootstrap, topic("followthrough.pulses"), until=lambda found: len(found) >= 6, timeout=15)
    assert len(events) == 6 and {e["type"] for e in events} == {"pulse.recorded"}
    assert {e["subject"] for e in events} == {f"panel-{uid}"}
    assert sorted(e["data"]["answers"] for e in events) == [1, 2, 3, 4, 5, 6]
    raw = json.dumps(events)
    assert panel_code(uid) not in raw and "access_code" not in raw
    for e in events:
        data = PulseRecorded.model_validate(e["data"])  # counts only: no other field is allowed
        assert set(e["data"]) == {"panel", "period", "answers", "min_answers", "counted", "trust", "kept"}
        if data.answers < 5:
            assert data.trust is None and data.kept is None  # too few to show, so too few to publish
    fifth, last = (next(e["data"] for e in events if e["data"]["answers"] == n) for n in (5, 6))
    assert last["period"] == f"{london_today():%Y-%m}"
    # The counts are of the first five answers (the first, and four of the five sent at once) until the 10th.
    assert fifth["counted"] == last["counted"] == 5 and sum(last["trust"]) == 5
    assert (last["trust"], last["kept"]) == (fifth["trust"], fifth["kept"])
    assert last["trust"][3] == 1 and last["kept"] == {"yes": 4, "no": 1, "not_sure": 0}
    # Nothing of it on the compacted panels topic.
    on_panels = read(stack.bootstrap, topic("followthrough.panels"), timeout=3)
    assert all(e["type"].startswith("panel.") for e in on_panels)
