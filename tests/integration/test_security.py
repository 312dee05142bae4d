"""The attack surface, as an attacker or a careless operator meets it: weak
signing keys, stale and revoked tokens, Idempotency-Key replays, what errors
and probes give away, and the headers and cookies every page carries."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from services.common import accesscode, tokens
from services.common.clock import SimulatedClock, utcnow
from services.common.db import make_engine
from services.common.migrate import upgrade_common
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from services.tracker.adapters.links import RespondLinks
from tests.support.api import agreed_body, issue_token, panel_body
from tests.support.events import agreed_event, panel_event, publish
from tests.support.stack import REPO

PUBLIC = "https://followthrough.example.org"
STRONG = "k" * 24 + "-strong-random-key-for-tests"  # 52 characters, not a known default
FUTURE = dt.date.today() + dt.timedelta(days=60)


def cli(*args: str, database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "services.cli", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": database_url}, timeout=120)


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(utcnow())


@pytest.fixture
def intake(stack, database_url, prefix, clock):
    settings = IntakeSettings(kafka_bootstrap_servers=stack.bootstrap, database_url=database_url,
                              followthrough_topic_prefix=prefix,
                              followthrough_reply_consumer=False)  # replies: test_decline_codes_and_replies.py
    with TestClient(create_app(settings, clock=clock)) as client:
        client.engine = make_engine(database_url)
        client.admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
        yield client


# A. The signing key -------------------------------------------------------------------------------

@pytest.mark.parametrize("key", [None, "short-but-not-the-default", "CHANGE-ME-to-a-long-random-string"])
def test_a_service_on_a_public_url_refuses_a_weak_secret_key(services, key):
    env = {"FOLLOWTHROUGH_PUBLIC_URL": PUBLIC, **({"FOLLOWTHROUGH_SECRET_KEY": key} if key else {})}
    with pytest.raises(RuntimeError, match="FOLLOWTHROUGH_SECRET_KEY") as refused:
        services("intake", **env)
    assert "token_urlsafe" in str(refused.value)  # how to make a strong one
    if key:
        assert key not in str(refused.value)  # the key itself is never printed


def test_a_service_on_loopback_or_with_a_strong_key_starts(services):
    assert httpx.get(services("intake").url + "/healthz").status_code == 200  # loopback, development key
    strong = services("intake", FOLLOWTHROUGH_PUBLIC_URL=PUBLIC, FOLLOWTHROUGH_SECRET_KEY=STRONG,
                      FOLLOWTHROUGH_INTAKE_PUBLIC_URL="https://intake.followthrough.example.org")  # https with https
    assert httpx.get(strong.url + "/healthz").status_code == 200


# B. Tokens ----------------------------------------------------------------------------------------

def test_an_expired_token_is_refused_with_a_clear_401(intake, database_url, uid, clock):
    r = cli("token", "issue", "--role", "admin", "--email", f"a-{uid}@example.org", "--days", "1",
            database_url=database_url)
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip().splitlines()[-1]
    assert token.startswith("ft_")
    auth = {"Authorization": f"Bearer {token}"}
    assert intake.post("/api/v1/panels", json=panel_body(uid), headers=auth).status_code == 201
    clock.advance(dt.timedelta(days=1, minutes=1))
    r = intake.post("/api/v1/panels", json=panel_body(uid + "x"), headers=auth)
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["title"] == "Token expired"
    assert "expired" in r.json()["detail"] and "followthrough token issue" in r.json()["detail"]


def test_tokens_are_listed_without_secrets_and_a_revoked_one_stops_working(intake, database_url, uid):
    token = issue_token(database_url, "facilitator", f"f-{uid}@example.org", panel=f"panel-{uid}")
    token_id, secret = token.split("_", 2)[1:]
    r = cli("token", "list", database_url=database_url)
    assert r.returncode == 0, r.stderr
    (line,) = [ln for ln in r.stdout.splitlines() if token_id in ln]
    assert "facilitator" in line and f"f-{uid}@example.org" in line and f"panel-{uid}" in line
    assert re.search(r"\d{4}-\d\d-\d\d", line)  # created and expires
    assert secret not in r.stdout and tokens._digest(secret) not in r.stdout

    auth = {"Authorization": f"Bearer {token}"}
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    body = agreed_body(uid, FUTURE)
    assert intake.post("/api/v1/recommendations", json=body, headers=auth).status_code == 201
    r = cli("token", "revoke", token_id, database_url=database_url)
    assert r.returncode == 0, r.stderr
    r = intake.post("/api/v1/recommendations", json=body, headers=auth)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    listed = cli("token", "list", database_url=database_url).stdout
    (line,) = [ln for ln in listed.splitlines() if token_id in ln]
    assert "revoked" in line
    assert cli("token", "revoke", "0123456789abcdef", database_url=database_url).returncode == 1


def test_rotating_a_panels_access_code_prints_a_new_one_and_retires_the_old(intake, database_url, uid):
    r = intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    old = r.json()["access_code"]
    slug = f"panel-{uid}"

    def published() -> list[str]:  # the verifiers the tracker learns, in order
        with intake.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT payload FROM intake_outbox WHERE key = :k ORDER BY id"), {"k": slug})
            return [json.loads(p)["data"]["panel"]["access_code_hash"] for (p,) in rows]
    (first,) = published()
    assert accesscode.matches(old, first)
    r = cli("panel", "rotate-code", slug, database_url=database_url)
    assert r.returncode == 0, r.stderr
    new = r.stdout.strip().splitlines()[-1]
    then, now = published()
    assert new != old and then == first and accesscode.matches(new, now) and not accesscode.matches(old, now)
    r = cli("panel", "rotate-code", f"no-such-{uid}", database_url=database_url)
    assert r.returncode == 1 and "no-such" in r.stderr


# C. Idempotency-Key -------------------------------------------------------------------------------

def test_a_replayed_panel_creation_never_returns_the_access_code(intake, uid):
    headers = {**intake.admin, "Idempotency-Key": f"panel-{uid}"}
    first = intake.post("/api/v1/panels", json=panel_body(uid), headers=headers)
    again = intake.post("/api/v1/panels", json=panel_body(uid), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["access_code"]
    assert "access_code" not in again.json() and "shown once" in again.json()["note"]
    assert {k: v for k, v in first.json().items() if k != "access_code"} == {
        k: v for k, v in again.json().items() if k != "note"}
    with intake.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT response FROM intake_idempotency_keys")).scalars().all()
    assert first.json()["access_code"] not in str(stored)


def test_an_over_long_idempotency_key_is_a_422_naming_the_header(intake, uid):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    headers = {**intake.admin, "Idempotency-Key": "k" * 201}
    r = intake.post("/api/v1/recommendations", json=agreed_body(uid, FUTURE), headers=headers)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["field"] == "Idempotency-Key"
    assert "200" in r.json()["errors"][0]["fix"]
    ok = intake.post("/api/v1/recommendations", json=agreed_body(uid, FUTURE),
                     headers={**intake.admin, "Idempotency-Key": "k" * 200})
    assert ok.status_code == 201


def test_idempotency_keys_belong_to_their_caller(intake, database_url, uid):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    other = {"Authorization": f"Bearer {issue_token(database_url, 'admin', f'other-{uid}@example.org')}"}
    body = agreed_body(uid, FUTURE)
    key = {"Idempotency-Key": "2026-session-item-1"}
    mine = intake.post("/api/v1/recommendations", json=body, headers={**intake.admin, **key})
    theirs = intake.post("/api/v1/recommendations", json=body, headers={**other, **key})
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["recommendation_id"] != theirs.json()["recommendation_id"]  # not the other's answer
    different = intake.post("/api/v1/recommendations", json={**body, "title": "Another one"},
                            headers={**other, "Idempotency-Key": "2026-session-item-1b"})
    assert different.status_code == 201
    other_body_same_key = {**body, "title": "Something else"}
    r = intake.post("/api/v1/recommendations", json=other_body_same_key, headers={**other, **key})
    assert r.status_code == 409  # still one caller's own key


def test_an_idempotency_key_expires_after_a_day_and_old_rows_are_pruned(intake, uid, clock):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    body = agreed_body(uid, FUTURE)
    first = intake.post("/api/v1/recommendations", json=body, headers={**intake.admin, "Idempotency-Key": "a"})
    intake.post("/api/v1/recommendations", json={**body, "title": "Second"},
                headers={**intake.admin, "Idempotency-Key": "b"})
    clock.advance(dt.timedelta(hours=24, minutes=1))
    again = intake.post("/api/v1/recommendations", json=body, headers={**intake.admin, "Idempotency-Key": "a"})
    assert again.status_code == 201
    assert again.json()["recommendation_id"] != first.json()["recommendation_id"]  # a new request
    with intake.engine.connect() as conn:
        keys = conn.execute(sa.text("SELECT key FROM intake_idempotency_keys")).scalars().all()
    assert len(keys) == 1 and keys[0].endswith("a")  # "b" was pruned; "a" is the new one


# D. What errors and probes give away --------------------------------------------------------------

def test_sql_parameters_never_reach_error_texts(database_url):
    engine = make_engine(database_url)
    upgrade_common(engine)
    secret = "someone@example.org-" + "x" * 400  # longer than the column
    with pytest.raises(sa.exc.DBAPIError) as failed:
        with engine.begin() as conn:
            conn.execute(tokens.api_tokens.insert().values(id="t1", secret_sha256="0" * 64, role="admin", email=secret))
    assert "someone@example.org" not in str(failed.value)


def test_readyz_says_only_not_ready(stack, database_url, prefix):
    settings = IntakeSettings(kafka_bootstrap_servers="127.0.0.1:9", database_url=database_url,
                              followthrough_topic_prefix=prefix, followthrough_outbox_relay=False)
    with TestClient(create_app(settings)) as client:
        r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json() == {"status": "not ready"}


# E. Headers and CSRF ------------------------------------------------------------------------------

def _assert_security_headers(r: httpx.Response) -> None:
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_every_intake_answer_carries_the_security_headers(intake):
    for path in ("/healthz", "/api/v1/nothing-here", "/openapi.json"):
        _assert_security_headers(intake.get(path))


@pytest.fixture
def tracker(services, stack, uid, prefix):
    """A tracker whose public URL is https, reached over plain http as behind a TLS proxy."""
    proc = services("tracker", FOLLOWTHROUGH_PUBLIC_URL=PUBLIC, FOLLOWTHROUGH_SECRET_KEY=STRONG)
    publish(stack.bootstrap, panel_event(uid), prefix)
    agreed = agreed_event(uid, dt.date.today() + dt.timedelta(days=30))
    publish(stack.bootstrap, agreed, prefix)
    cid = agreed["data"]["commitment"]["id"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and httpx.get(f"{proc.url}/api/v1/commitments/{cid}").status_code != 200:
        time.sleep(0.2)
    proc.page = f"{proc.url}/panels/panel-{uid}"
    token = RespondLinks(STRONG, PUBLIC).token(cid, agreed["data"]["commitment"]["owner"]["email"])
    proc.respond = f"{proc.url}/commitments/{cid}/respond?token={token}"
    return proc


def test_tracker_pages_carry_the_headers_and_respond_pages_are_not_stored(tracker):
    r = httpx.get(tracker.page)
    assert r.status_code == 200
    _assert_security_headers(r)
    assert "<style>" in r.text  # the inline style sheet the policy allows
    assert "no-store" not in r.headers.get("cache-control", "")
    for url in (tracker.respond, tracker.respond[:-4] + "xxxx"):  # a good link, and a refused one
        respond = httpx.get(url)
        _assert_security_headers(respond)
        assert respond.headers["cache-control"] == "no-store"


ATTACKER = {"ft_csrf": "chosen-by-the-attacker", "__Host-ft_csrf": "chosen-by-the-attacker"}


def test_the_csrf_cookie_is_secure_behind_a_tls_proxy_and_never_the_clients_own(tracker):
    r = httpx.get(tracker.respond, cookies=ATTACKER)
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "; secure" in cookie.lower()
    assert "chosen-by-the-attacker" not in cookie
    # The attacker's own cookie with the form token made for this page: refused.
    csrf = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    form = {"token": tracker.respond.split("token=", 1)[1], "csrf": csrf, "action": "update", "note": "Forged"}
    url = tracker.respond.split("?", 1)[0]
    posted = httpx.post(url, cookies=ATTACKER, data=form)
    assert posted.status_code == 403 and "out of date" in posted.text
    # The cookie the page set, with its form token: accepted.
    name, value = cookie.split(";", 1)[0].split("=", 1)
    posted = httpx.post(url, cookies={name: value}, data={**form, "note": "Briefing written"})
    assert posted.status_code == 303, posted.text
