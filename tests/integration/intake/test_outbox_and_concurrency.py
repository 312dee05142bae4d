"""Intake as a real process: the outbox survives kill -9, idempotency holds
under 50 concurrent requests, CSV imports are all or nothing, and a rolled-back
request publishes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor

import httpx
import sqlalchemy as sa

from services.common.db import make_engine
from services.intake.usecases.csvimport import COLUMNS
from tests.support.api import agreed_body, issue_token, panel_body
from tests.support.topics import read

FUTURE = dt.date.today() + dt.timedelta(days=60)


def _auth(database_url):
    return {"Authorization": f"Bearer {issue_token(database_url)}"}


def _count(database_url, sql):
    with make_engine(database_url).connect() as conn:
        return conn.execute(sa.text(sql)).scalar()


def test_kill_9_between_commit_and_publish_loses_nothing(services, stack, database_url, uid, topic):
    # With the relay off, the commit happens and the publish cannot: the kill falls between them.
    intake = services("intake", FOLLOWTHROUGH_OUTBOX_RELAY="false")
    auth = _auth(database_url)
    assert httpx.post(f"{intake.url}/api/v1/panels", json=panel_body(uid), headers=auth).status_code == 201
    r = httpx.post(f"{intake.url}/api/v1/recommendations", json=agreed_body(uid, FUTURE), headers=auth)
    rec_id = r.json()["recommendation_id"]
    intake.kill()
    assert _count(database_url, "SELECT count(*) FROM intake_outbox WHERE published_at IS NULL") == 2
    assert read(stack.bootstrap, topic("followthrough.recommendations"), where=lambda e: e.get("subject") == rec_id,
                timeout=2) == []

    services("intake")  # restarted, relay on
    events = read(stack.bootstrap, topic("followthrough.recommendations"), where=lambda e: e.get("subject") == rec_id,
                  until=lambda found: len(found) >= 1, timeout=20)
    assert [e["type"] for e in events] == ["recommendation.agreed"]
    assert _count(database_url, "SELECT count(*) FROM intake_outbox WHERE published_at IS NULL") == 0


def test_rolled_back_requests_publish_nothing(services, stack, database_url, uid, topic):
    intake = services("intake")
    auth = _auth(database_url)
    assert httpx.post(f"{intake.url}/api/v1/panels", json=panel_body(uid), headers=auth).status_code == 201
    again = httpx.post(f"{intake.url}/api/v1/panels", json=panel_body(uid), headers=auth)
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "slug"
    body = agreed_body(uid, FUTURE)
    body["commitment"]["agreed_on"] = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    r = httpx.post(f"{intake.url}/api/v1/recommendations", json=body, headers=auth)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "commitment.agreed_on"

    panel_events = read(stack.bootstrap, topic("followthrough.panels"),
                        where=lambda e: e.get("subject") == f"panel-{uid}",
                        timeout=4)
    assert len(panel_events) == 1
    assert _count(database_url, "SELECT count(*) FROM intake_outbox") == 1
    assert _count(database_url, "SELECT count(*) FROM intake_recommendations") == 0


def test_50_concurrent_identical_posts_with_one_key_make_one_recommendation(services, stack, database_url, uid, topic):
    intake = services("intake")
    auth = _auth(database_url)
    httpx.post(f"{intake.url}/api/v1/panels", json=panel_body(uid), headers=auth)
    body = agreed_body(uid, FUTURE)
    headers = {**auth, "Idempotency-Key": f"same-{uid}"}
    with ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(
            lambda _: httpx.post(f"{intake.url}/api/v1/recommendations", json=body, headers=headers, timeout=60),
            range(50)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["recommendation_id"] for a in answers}) == 1
    assert _count(database_url, "SELECT count(*) FROM intake_recommendations") == 1
    rec_id = answers[0].json()["recommendation_id"]
    events = read(stack.bootstrap, topic("followthrough.recommendations"),
                  where=lambda e: e.get("data", {}).get("recommendation", {}).get("panel") == f"panel-{uid}",
                  until=lambda f: len(f) >= 1, timeout=10)
    assert [e["subject"] for e in events] == [rec_id]


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=COLUMNS)
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


def _row(uid: str, i: int) -> dict:
    return {
        "panel": f"panel-{uid}", "raised_on": "2026-01-14", "title": f"Recommendation {i}",
        "themes": "trust;respect", "decision": "agreed", "commitment.action": f"Do thing {i}",
        "commitment.done_means": "It is done", "commitment.owner.role": "Inspector",
        "commitment.owner.email": f"owner-{uid}@example.org", "commitment.due": "2027-03-01",
        "commitment.agreed_on": "2026-01-20",
    }


def test_a_10000_row_csv_imports_and_publishes(services, stack, database_url, uid, topic):
    intake = services("intake")
    auth = _auth(database_url)
    httpx.post(f"{intake.url}/api/v1/panels", json=panel_body(uid), headers=auth)
    text = _csv([_row(uid, i) for i in range(10_000)])
    r = httpx.post(f"{intake.url}/api/v1/recommendations/import", content=text.encode(),
                   headers={**auth, "Content-Type": "text/csv"}, timeout=300)
    assert r.status_code == 201, r.text[:500]
    assert r.json()["imported"] == 10_000
    assert r.json()["results"][0]["row"] == 2
    expected = {x["recommendation_id"] for x in r.json()["results"]}
    events = read(stack.bootstrap, topic("followthrough.recommendations"), where=lambda e: e.get("subject") in expected,
                  until=lambda f: len(f) >= 10_000, timeout=120)
    assert {e["subject"] for e in events} == expected


def test_a_csv_with_three_bad_rows_imports_nothing_and_names_them(services, database_url, uid):
    intake = services("intake")
    auth = _auth(database_url)
    httpx.post(f"{intake.url}/api/v1/panels", json=panel_body(uid), headers=auth)
    rows = [_row(uid, i) for i in range(20)]
    rows[3]["commitment.owner.email"] = "nobody"
    rows[9]["commitment.due"] = "2025-01-01"  # before raised_on
    rows[15]["title"] = "ring me on 07700 900123"
    r = httpx.post(f"{intake.url}/api/v1/recommendations/import", content=_csv(rows).encode(),
                   headers={**auth, "Content-Type": "text/csv"})
    assert r.status_code == 422
    problems = r.json()["errors"]
    assert sorted({(p["row"], p["field"]) for p in problems}) == [
        (5, "commitment.owner.email"), (11, "commitment.due"), (17, "title")]
    assert "5, 11, 17" in r.json()["detail"]
    assert _count(database_url, "SELECT count(*) FROM intake_recommendations") == 0
    assert _count(database_url, "SELECT count(*) FROM intake_outbox") == 1  # the panel's event only
