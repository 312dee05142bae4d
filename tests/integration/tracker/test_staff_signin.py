"""Staff sign in to the tracker with their force's account: the tracker runs as its own process
(`followthrough tracker`, real Kafka and PostgreSQL) and trusts a real, OpenID-certified provider
(the npm `oidc-provider`, started on loopback). Signed in, every page knows the person (the sign-in
page names them, from `request.state.person`); signed out, a copied session cookie is worth nothing.
The refusals themselves are the same code on both services: tests/integration/intake/test_staff_signin.py."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import ARTIFACTS
from tests.support import vnu
from tests.support.oidc_provider import sign_in_at_provider
from tests.support.services import ServiceProcess

ACCOUNTS = [{"id": "lead", "email": "Sam.Supervisor@Example.org", "email_verified": True, "tid": "tenant-a",
             "roles": [], "name": "Sam Supervisor"}]


@pytest.fixture
def tracker(service_env, oidc_provider):
    (ARTIFACTS / "logs").mkdir(parents=True, exist_ok=True)
    proc = ServiceProcess("tracker", dict(service_env), ARTIFACTS / "logs")
    provider = oidc_provider(ACCOUNTS, [f"{proc.url}/signin/callback"])
    proc.env.update(provider.env(followthrough_oidc_allowed_tenants="tenant-a"), FOLLOWTHROUGH_PUBLIC_URL=proc.url,
                    FOLLOWTHROUGH_LOG_FORMAT="json")
    proc.start()
    yield proc
    proc.stop()


def _sign_in(browser: httpx.Client) -> httpx.Response:
    start = browser.get("/signin?force=1")
    assert start.status_code == 303, start.text
    callback = urlsplit(sign_in_at_provider(start.headers["location"], "lead"))
    return browser.get(f"{callback.path}?{callback.query}")


def test_a_lead_signs_in_to_the_tracker_and_signing_out_ends_a_copied_cookie(tracker):
    pages = {}
    with httpx.Client(base_url=tracker.url, timeout=10) as browser:
        pages["sign-in"] = browser.get("/signin").text
        assert "Sign in with your force account" in pages["sign-in"]
        refused = browser.get("/signin/callback?code=x&state=y")
        assert refused.status_code == 400 and "This sign-in was started elsewhere" in refused.text
        pages["refusal"] = refused.text
        r = _sign_in(browser)
        assert r.status_code == 303 and r.headers["location"] == "/me"
        header = r.headers["set-cookie"]
        assert "ft_staff_tracker=" in header and "HttpOnly" in header and "SameSite=lax" in header
        page = browser.get("/signin")
        pages["signed in"] = page.text
        assert "You are signed in as" in page.text and "sam.supervisor@example.org" in page.text
        copied = browser.cookies.get("ft_staff_tracker")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        out = browser.post("/signout", data={"csrf": csrf})
        assert out.status_code == 303 and out.headers["location"] == "/signin?out=1"
        pages["signed out"] = browser.get("/signin?out=1").text
        assert "You are signed in as" not in pages["signed out"] and "You are signed out" in pages["signed out"]
    with httpx.Client(base_url=tracker.url, timeout=10, cookies={"ft_staff_tracker": copied}) as thief:
        assert "You are signed in as" not in thief.get("/signin").text, "a copied cookie outlived sign-out"
    events = [json.loads(line) for line in tracker.log().splitlines() if line.startswith("{")]
    staff = [e for e in events if e.get("event", "").startswith("signin.staff")]
    assert [e["event"] for e in staff] == ["signin.staff_refused", "signin.staff_signed_in", "signin.staff_signed_out"]
    assert staff[1]["person"] == staff[2]["person"] and "example.org" not in tracker.log().lower()
    errors = vnu.check(pages)
    assert not errors, f"the sign-in pages are not valid HTML: {errors}"
