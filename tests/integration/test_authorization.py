"""The authorization matrix: every write route, API and form, against every way a caller can
be wrong (no token, an expired token, a revoked one, the wrong role, another owner, a wrong
access code, a bad or someone else's link). Each is refused with its status and nothing is
stored: no row, no timeline entry, no event in any outbox."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time

import httpx
import pytest
import sqlalchemy as sa

from services.common.clock import london_today
from services.common.db import make_engine
from services.tracker.adapters.links import ApprovalLinks, RespondLinks
from tests.support.api import agreed_body, issue_token, panel_body
from tests.support.stack import REPO

SECRET = "a-test-secret-that-is-long-enough-to-be-strong"
WRITES = ("intake_panels", "intake_recommendations", "intake_outbox", "tracker_timeline", "tracker_outbox",
          "tracker_notices")


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(services, database_url, uid):
    intake = services("intake", FOLLOWTHROUGH_SECRET_KEY=SECRET)
    tracker = services("tracker", FOLLOWTHROUGH_SECRET_KEY=SECRET)
    admin = issue_token(database_url)
    assert httpx.post(f"{intake.url}/api/v1/panels", json=panel_body(uid), headers=_bearer(admin)).status_code == 201
    r = httpx.post(f"{intake.url}/api/v1/recommendations", headers=_bearer(admin),
                   json=agreed_body(uid, london_today() + dt.timedelta(days=30)))
    rec_id, cid = r.json()["recommendation_id"], r.json()["commitment_id"]
    pending = httpx.post(f"{intake.url}/api/v1/recommendations", headers=_bearer(admin), json={
        "panel": f"panel-{uid}", "raised_on": london_today().isoformat(), "title": "Publish the numbers",
        "detail": "", "themes": ["trust"], "decision": "pending"}).json()["recommendation_id"]
    deadline = time.monotonic() + 30
    while httpx.get(f"{tracker.url}/api/v1/commitments/{cid}").status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    engine = make_engine(database_url)
    expired = issue_token(database_url, "admin", "old@example.org")
    with engine.begin() as conn:  # issued long ago: its 90 days are over
        conn.execute(sa.text("UPDATE api_tokens SET expires_at = :t WHERE id = :id"),
                     {"t": dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), "id": expired.split("_")[1]})
    revoked = issue_token(database_url, "admin", "gone@example.org")
    subprocess.run([sys.executable, "-m", "services.cli", "token", "revoke", revoked.split("_")[1]], cwd=REPO,
                   env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}, check=True, capture_output=True)

    class World:
        pass
    w = World()
    w.intake, w.tracker, w.engine, w.uid = intake.url, tracker.url, engine, uid
    w.rec_id, w.cid, w.pending = rec_id, cid, pending
    w.callers = {
        "no token": {},
        "expired token": _bearer(expired),
        "revoked token": _bearer(revoked),
        "wrong role": _bearer(issue_token(database_url, "facilitator", "f@example.org", panel="another-panel")),
        "another owner": _bearer(issue_token(database_url, "owner", "someone.else@example.org")),
    }
    return w


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in WRITES}


API_ROUTES = [
    # (service, path, body, refusals: caller -> status)
    ("intake", "/api/v1/panels", lambda w: panel_body(w.uid + "x"),
     {"no token": 401, "expired token": 401, "revoked token": 401, "wrong role": 403, "another owner": 403}),
    ("intake", "/api/v1/recommendations", lambda w: agreed_body(w.uid, london_today() + dt.timedelta(days=9)),
     {"no token": 401, "expired token": 401, "revoked token": 401, "wrong role": 403, "another owner": 403}),
    ("intake", "/api/v1/recommendations/{pending}/decision", lambda w: {"decision": "declined", "decline_reason": "No"},
     {"no token": 401, "expired token": 401, "revoked token": 401, "wrong role": 403, "another owner": 403}),
    ("tracker", "/api/v1/commitments/{cid}/updates", lambda w: {"note": "Started"},
     {"no token": 401, "expired token": 401, "revoked token": 401, "wrong role": 403, "another owner": 403}),
    ("tracker", "/api/v1/commitments/{cid}/owner", lambda w: {"role": "Inspector", "email": "x@example.org",
                                                              "reason": "Moved"},
     {"no token": 401, "expired token": 401, "revoked token": 401, "wrong role": 403, "another owner": 403}),
    ("tracker", "/api/v1/commitments/{cid}/extensions",
     lambda w: {"new_due": (london_today() + dt.timedelta(days=60)).isoformat(), "reason": "More time"},
     {"no token": 401, "expired token": 401, "revoked token": 401, "wrong role": 403, "another owner": 403}),
    ("tracker", "/api/v1/commitments/{cid}/withdrawal", lambda w: {"reason": "Stopped"},
     {"no token": 401, "expired token": 401, "revoked token": 401, "wrong role": 403, "another owner": 403}),
]


@pytest.mark.parametrize("service,path,body,refusals", API_ROUTES, ids=[r[1] for r in API_ROUTES])
def test_every_api_write_refuses_every_wrong_caller_and_stores_nothing(world, service, path, body, refusals):
    url = getattr(world, service) + path.format(cid=world.cid, pending=world.pending)
    before = _counts(world.engine)
    for caller, status in refusals.items():
        r = httpx.post(url, json=body(world), headers=world.callers[caller])
        assert r.status_code == status, (caller, r.status_code, r.text[:300])
        assert r.headers["content-type"].startswith("application/problem+json")
    assert _counts(world.engine) == before


def test_the_csv_import_refuses_every_wrong_caller_and_stores_nothing(world):
    before = _counts(world.engine)
    csv = "panel,raised_on,title,decision\n" + f"panel-{world.uid},2026-01-01,A title,pending\n"
    for caller, status in {"no token": 401, "expired token": 401, "revoked token": 401, "wrong role": 403,
                           "another owner": 403}.items():
        r = httpx.post(f"{world.intake}/api/v1/recommendations/import", content=csv,
                       headers={"Content-Type": "text/csv", **world.callers[caller]})
        assert r.status_code == status, (caller, r.text[:300])
    assert _counts(world.engine) == before


def test_a_verdict_with_a_wrong_code_is_refused_by_the_api_and_the_form(world):
    before = _counts(world.engine)
    r = httpx.post(f"{world.tracker}/api/v1/commitments/{world.cid}/verdict",
                   json={"verdict": "disputed", "comment": "Not done yet", "access_code": "not-the-code"})
    assert r.status_code == 403 and r.json()["errors"][0]["field"] == "access_code"
    with httpx.Client() as browser:
        page = browser.get(f"{world.tracker}/panels/panel-{world.uid}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        token = csrf.group(1) if csrf else ""
        r = browser.post(f"{world.tracker}/panels/panel-{world.uid}/commitments/{world.cid}/verdict",
                         data={"verdict": "disputed", "comment": "Not done yet", "access_code": "not-the-code",
                               "csrf": token})
        assert r.status_code in (403, 409), r.status_code  # wrong code, or not awaiting the panel's check
        r = browser.post(f"{world.tracker}/panels/panel-{world.uid}/commitments/{world.cid}/verdict",
                         data={"verdict": "disputed", "access_code": "x", "csrf": "forged"})
        assert r.status_code == 403 and "out of date" in r.text
    assert _counts(world.engine) == before


def test_the_respond_and_approval_forms_refuse_bad_and_other_peoples_links(world):
    before = _counts(world.engine)
    owner = f"owner-{world.uid}@example.org"
    good = RespondLinks(SECRET, world.tracker).url(world.cid, owner)
    forged = RespondLinks("another-secret-that-is-long-enough-for-this", world.tracker).url(world.cid, owner)
    someone = RespondLinks(SECRET, world.tracker).url(world.cid, "someone.else@example.org")
    with httpx.Client() as browser:
        csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get(good).text).group(1)
        for link in ("", forged.split("token=")[1], someone.split("token=")[1], good.split("token=")[1][:-4] + "abcd"):
            r = browser.post(f"{world.tracker}/commitments/{world.cid}/respond",
                             data={"token": link, "csrf": csrf, "action": "update", "note": "Sneaky"})
            assert r.status_code == 403, r.status_code
        approve = ApprovalLinks(SECRET, world.tracker).url_for(world.cid, f"supervisor-{world.uid}@example.org",
                                                              "2030-01-01")
        r = browser.post(approve.split("?")[0], data={"token": approve.split("token=")[1], "csrf": csrf})
        assert r.status_code == 403 and "no request" in r.text  # nothing was asked for
    assert _counts(world.engine) == before
