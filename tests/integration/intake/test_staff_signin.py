"""Staff sign in to intake with their force's account, against a real, OpenID-certified provider
(the npm `oidc-provider`, started on loopback by `tests/support/oidc_provider.py`), real PostgreSQL
and the real app: who signs in ends up on `request.state.person`, and each way a sign-in can be
wrong is refused with its own plain page.

Three refusals need an answer the provider would never give; the test makes them as an attacker
or a slow network would: a wrong nonce by rewriting the authorization URL before the provider sees
it; a tampered ID token and an expired one through an httpx transport wrapped around the app's
own (`Interceptor`, set on the app's OIDC client), which edits the token endpoint's answer or
makes it arrive two hours late on the app's clock."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from services.common.clock import SimulatedClock
from services.common.db import make_engine
from services.common.signin import store
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.support import vnu
from tests.support.api import issue_token, panel_body
from tests.support.oidc_provider import sign_in_at_provider

INTAKE = "http://localhost:8001"
ACCOUNTS = [
    {"id": "owner", "email": "Olive.Owner@Example.org", "email_verified": True, "tid": "tenant-a",
     "roles": ["followthrough.admin", "followthrough.facilitator", "unrelated.role"], "name": "Olive Owner"},
    {"id": "elsewhere", "email": "someone@other-force.example", "email_verified": True, "tid": "tenant-b",
     "roles": ["followthrough.admin"], "name": "Someone Else"},
    {"id": "facilitator", "email": "Fran.Facilitator@Example.org", "email_verified": True, "tid": "tenant-a",
     "roles": ["followthrough.facilitator"], "name": "Fran Facilitator"},
    {"id": "entra", "email": "anything.anyone.typed@example.org", "preferred_username": "Pat.Lead@Example.org",
     "tid": "tenant-a", "roles": ["followthrough.admin"], "name": "Pat Lead"},  # as Entra: no email_verified
    {"id": "unverified", "email": "unverified@example.org", "email_verified": False, "tid": "tenant-a",
     "roles": [], "name": "Una Verified"},
]


@pytest.fixture
def clock():
    return SimulatedClock(dt.datetime.now(dt.timezone.utc).replace(microsecond=0))


@pytest.fixture
def provider(oidc_provider):
    return oidc_provider(ACCOUNTS, [f"{INTAKE}/signin/callback"])


@pytest.fixture
def intake(stack, database_url, prefix, provider, clock):
    settings = IntakeSettings(
        kafka_bootstrap_servers=stack.bootstrap, database_url=database_url, followthrough_topic_prefix=prefix,
        followthrough_intake_public_url=INTAKE, followthrough_reply_consumer=False,
        followthrough_outbox_relay=False, **provider.settings(followthrough_oidc_allowed_tenants="tenant-a"))
    app = create_app(settings, clock)

    @app.get("/test/whoami")  # what every route sees of the person (not part of the service)
    def whoami(request: Request) -> dict:
        person = getattr(request.state, "person", None)
        return {"person": None if person is None else
                {"email": person.email, "roles": sorted(person.roles), "name": person.name}}

    with TestClient(app, base_url="http://testserver") as client:
        client.app_state = app.state
        client.database_url = database_url
        yield client


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _begin(client: TestClient) -> str:
    r = client.get("/signin?force=1", follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"]


def _callback(client: TestClient, account: str, authorize_url: str | None = None) -> tuple[str, httpx.Response]:
    url = sign_in_at_provider(authorize_url or _begin(client), account)
    return url, client.get(_local(url), follow_redirects=False)


def _whoami(client: TestClient) -> dict | None:
    return client.get("/test/whoami").json()["person"]


def _refusal(r: httpx.Response, status: int, heading: str) -> None:
    assert r.status_code == status, f"{r.status_code}: {r.text[:400]}"
    assert r.headers["content-type"].startswith("text/html")
    assert f"<h1>{heading}</h1>" in r.text, r.text[:600]
    assert "start again" in r.text.lower() or "sign in" in r.text.lower()


def _session_cookie(client: TestClient) -> str:
    return client.cookies.get("ft_staff_intake")


class Interceptor(httpx.BaseTransport):
    """The app's own transport to the provider, with `on_token(response_json)` run on the token
    endpoint's answer before the app reads it."""

    def __init__(self, on_token) -> None:
        self.inner, self.on_token = httpx.HTTPTransport(), on_token

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if not request.url.path.endswith("/token"):
            return response
        response.read()
        body = self.on_token(json.loads(response.content))
        return httpx.Response(response.status_code, json=body)


# Signed in -------------------------------------------------------------------------------------

def test_an_owner_signs_in_and_every_request_carries_their_person(intake):
    with capture_logs() as logs:
        _, r = _callback(intake, "owner")
    assert r.status_code == 303 and r.headers["location"] == "/record"
    assert _whoami(intake) == {"email": "olive.owner@example.org", "roles": ["admin", "facilitator"],
                               "name": "Olive Owner"}
    header = r.headers["set-cookie"]
    cookie = _session_cookie(intake)
    assert re.search(r"ft_staff_intake=[\w-]{43};", header) and "HttpOnly" in header and "SameSite=lax" in header
    assert "olive" not in cookie.lower() and "Secure" not in header  # http://localhost: a developer's own
    signed_in = [e for e in logs if e["event"] == "signin.staff_signed_in"]
    assert len(signed_in) == 1 and re.fullmatch(r"[0-9a-f]{32}", signed_in[0]["person"])
    assert "example.org" not in json.dumps(logs, default=str).lower(), "a log line names the person"
    page = intake.get("/signin")
    assert "Sign in with your force account" in page.text and "olive.owner@example.org" in page.text
    assert 'action="/signin"' in page.text, "the one-time email link stays beside the force's sign-in"


def test_without_email_verified_the_sign_in_name_is_the_person(intake):
    _, r = _callback(intake, "entra")
    assert r.status_code == 303 and _whoami(intake)["email"] == "pat.lead@example.org"


def test_signing_out_ends_the_session_for_a_copied_cookie_too(intake):
    _callback(intake, "owner")
    copied = _session_cookie(intake)
    csrf = re.search(r'name="csrf" value="([^"]+)"', intake.get("/signin").text).group(1)
    with capture_logs() as logs:
        out = intake.post("/signout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/signin?out=1"
    assert [e["event"] for e in logs if e["event"].startswith("signin.staff")] == ["signin.staff_signed_out"]
    assert _whoami(intake) is None
    thief = TestClient(intake.app, base_url="http://testserver", cookies={"ft_staff_intake": copied})
    assert _whoami(thief) is None, "a cookie copied before sign-out still signs someone in"


def test_signing_out_needs_the_form_token(intake):
    _callback(intake, "owner")
    r = intake.post("/signout", data={"csrf": "forged"}, follow_redirects=False)
    assert r.status_code == 403 and _whoami(intake) is not None


def test_a_facilitator_records_for_the_panels_they_are_bound_to_and_no_longer_once_unbound(intake, uid):
    admin = {"Authorization": f"Bearer {issue_token(intake.database_url)}"}
    assert intake.post("/api/v1/panels", json=panel_body(uid), headers=admin).status_code == 201
    engine = make_engine(intake.database_url)
    assert store.bind(engine, "FRAN.facilitator@example.org", f"panel-{uid}")  # as `followthrough staff bind`
    _, r = _callback(intake, "facilitator")
    assert r.status_code == 303 and r.headers["location"] == f"/panels/panel-{uid}/record"
    page = intake.get(r.headers["location"])
    assert page.status_code == 200 and "fran.facilitator@example.org" in page.text
    assert store.unbind(engine, "fran.facilitator@example.org", f"panel-{uid}")  # `followthrough staff unbind`
    assert intake.get(f"/panels/panel-{uid}/record").status_code == 403
    engine.dispose()


# Refused, each with its page ----------------------------------------------------------------

def test_signing_in_again_ends_the_session_before(intake):
    _callback(intake, "owner")
    first = _session_cookie(intake)
    _callback(intake, "owner")
    assert _session_cookie(intake) != first and _whoami(intake) is not None
    old = TestClient(intake.app, base_url="http://testserver", cookies={"ft_staff_intake": first})
    assert _whoami(old) is None


def test_a_token_from_a_tenant_not_allowed_is_refused(intake):
    with capture_logs() as logs:
        _, r = _callback(intake, "elsewhere")
    _refusal(r, 403, "This organisation may not sign in here")
    assert _whoami(intake) is None
    refused = [e for e in logs if e["event"] == "signin.staff_refused"]
    assert [(e["status"], e["why"]) for e in refused] == [(403, "This organisation may not sign in here")]
    assert "other-force" not in json.dumps(logs, default=str)


def test_an_unverified_email_is_refused(intake):
    _, r = _callback(intake, "unverified")
    _refusal(r, 403, "Your email address is not verified")
    assert _whoami(intake) is None


def test_a_replayed_state_is_refused(intake):
    url, first = _callback(intake, "owner")
    assert first.status_code == 303
    replay = TestClient(intake.app, base_url="http://testserver")
    _refusal(replay.get(_local(url), follow_redirects=False), 400, "This sign-in was started elsewhere")
    # Even with the state's cookie copied as well, the state works once on the server.
    state = dict(parse_qsl(urlsplit(url).query))["state"]
    replay.cookies.set("ft_signin_intake", state)
    _refusal(replay.get(_local(url), follow_redirects=False), 400, "This sign-in was already used")
    assert _whoami(replay) is None


def test_a_code_used_twice_is_refused(intake):
    used, first = _callback(intake, "owner")
    assert first.status_code == 303
    other = TestClient(intake.app, base_url="http://testserver")
    fresh_state = dict(parse_qsl(urlsplit(_begin(other)).query))["state"]  # a sign-in of its own, under way
    code = dict(parse_qsl(urlsplit(used).query))["code"]
    r = other.get("/signin/callback?" + urlencode({"code": code, "state": fresh_state}), follow_redirects=False)
    _refusal(r, 400, "This sign-in was already used")
    assert _whoami(other) is None


def test_a_wrong_nonce_is_refused(intake):
    parts = urlsplit(_begin(intake))
    query = dict(parse_qsl(parts.query)) | {"nonce": "a-nonce-this-app-never-made"}
    _, r = _callback(intake, "owner", urlunsplit(parts._replace(query=urlencode(query))))
    _refusal(r, 400, "This sign-in does not match")
    assert _whoami(intake) is None


def _tamper(body: dict) -> dict:
    """The ID token's claims rewritten to someone else's address, its signature left as it was."""
    header, payload, signature = body["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "chief.constable@example.org"
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return body | {"id_token": f"{header}.{payload}.{signature}"}


def test_a_tampered_id_token_is_refused(intake):
    intake.app_state.staff.client.transport = Interceptor(_tamper)
    _, r = _callback(intake, "owner")
    _refusal(r, 400, "This sign-in could not be checked")
    assert _whoami(intake) is None


def test_an_expired_id_token_is_refused(intake, clock):
    def two_hours_late(body: dict) -> dict:  # the provider's tokens live an hour
        clock.advance(dt.timedelta(hours=2))
        return body

    intake.app_state.staff.client.transport = Interceptor(two_hours_late)
    _, r = _callback(intake, "owner")
    _refusal(r, 400, "This sign-in has expired")
    assert _whoami(intake) is None


def test_the_sign_in_pages_and_a_refusal_are_valid_html(intake):
    pages = {"offered": intake.get("/signin").text}
    pages["refused"] = _callback(intake, "unverified")[1].text
    _callback(intake, "owner")
    pages["signed in"] = intake.get("/signin").text
    assert "Sign in with your force account" in pages["offered"] and "Sign out" in pages["signed in"]
    errors = vnu.check(pages)
    assert not errors, f"the sign-in pages are not valid HTML: {errors}"


def test_a_sign_in_the_provider_refused_says_so_without_repeating_the_links_words(intake):
    r = intake.get("/signin/callback?" + urlencode({"error": "access_denied",
                                                    "error_description": "Call 0800 000 000 to unlock"}))
    _refusal(r, 403, "You were not signed in")
    assert "access_denied" in r.text and "0800" not in r.text
