"""A code a young person can type, against real intake and tracker processes, PostgreSQL and Kafka:
intake makes a short code, a panel member types it on the panel's page in small letters with
spaces, the device then remembers it so the next form does not ask, and rotating the code ends
that. A panel registered before codes were short keeps its code, compared exactly as before."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import httpx

from tests.support.api import agreed_body, issue_token, panel_body
from tests.support.events import agreed_event, panel_code, panel_event, publish
from tests.support.procs import wait_until
from tests.support.stack import REPO

FUTURE = dt.date.today() + dt.timedelta(days=60)


def _csrf(page: httpx.Client, slug: str) -> str:
    r = page.get(f"/panels/{slug}")
    assert r.status_code == 200, r.text
    return r.text.split('name="csrf" value="')[1].split('"')[0]


def _reply(page: httpx.Client, slug: str, rec_id: str, code: str | None) -> httpx.Response:
    """Accept the police's decision with the reply form of the panel's page; `code` None: none typed."""
    form = {"csrf": _csrf(page, slug), "reply": "accept", "comment": "", "title": ""}
    if code is not None:
        form["access_code"] = code
    return page.post(f"/panels/{slug}/recommendations/{rec_id}/reply", data=form)


def _agreed(intake: httpx.Client, uid: str, tracker: httpx.Client) -> str:
    r = intake.post("/api/v1/recommendations", json=agreed_body(uid, FUTURE))
    assert r.status_code == 201, r.text
    rec_id, cid = r.json()["recommendation_id"], r.json()["commitment_id"]
    wait_until(lambda: tracker.get(f"/api/v1/commitments/{cid}").status_code == 200, timeout=30)
    return rec_id


def test_a_short_code_typed_loosely_is_remembered_on_the_device_until_it_is_rotated(
        services, stack, database_url, uid, prefix):
    intake_proc, tracker_proc = services("intake"), services("tracker")
    admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
    slug = f"panel-{uid}"
    with httpx.Client(base_url=intake_proc.url, headers=admin) as intake, \
            httpx.Client(base_url=tracker_proc.url) as api, \
            httpx.Client(base_url=tracker_proc.url, follow_redirects=False) as phone:
        r = intake.post("/api/v1/panels", json=panel_body(uid))
        assert r.status_code == 201, r.text
        code = r.json()["access_code"]
        first, second, third = (_agreed(intake, uid, api) for _ in range(3))

        # Typed on a phone: small letters, a space between each character, no hyphen.
        typed = " ".join(code.replace("-", "").lower())
        r = _reply(phone, slug, first, typed)
        assert r.status_code == 303, f"{typed!r} for {code!r} was refused: {r.text[-600:]}"
        assert any(c.name == "ft_code" for c in phone.cookies.jar), "the device was not given the code to remember"
        cookie = next(c for c in phone.cookies.jar if c.name == "ft_code")
        assert cookie.path == f"/panels/{slug}" and code.replace("-", "") not in cookie.value.upper()

        # The page now asks for no code, and a form goes through without one.
        page = phone.get(f"/panels/{slug}").text
        assert "This device remembers your panel's access code" in page and 'name="access_code"' not in page
        r = _reply(phone, slug, second, None)
        assert r.status_code == 303, r.text[-600:]

        # A new code: the device no longer vouches, and says why; the new code, typed, works again.
        rotated = subprocess.run([sys.executable, "-m", "services.cli", "panel", "rotate-code", slug], cwd=REPO,
                                 capture_output=True, text=True, env={**os.environ, "DATABASE_URL": database_url},
                                 timeout=120)
        assert rotated.returncode == 0, rotated.stderr
        new_code = rotated.stdout.strip().splitlines()[-1]
        wait_until(lambda: 'name="access_code"' in phone.get(f"/panels/{slug}").text, timeout=30)
        r = _reply(phone, slug, third, None)
        assert r.status_code == 422 and "has since changed" in r.text, r.text[-600:]
        assert _reply(phone, slug, third, code).status_code == 403  # the old code is gone too
        assert _reply(phone, slug, third, new_code.lower()).status_code == 303


def test_a_code_made_before_codes_were_short_still_works_exactly_as_before(services, stack, uid, prefix):
    tracker_proc = services("tracker")
    slug = f"panel-{uid}"
    publish(stack.bootstrap, panel_event(uid), prefix)
    event = agreed_event(uid, FUTURE)
    publish(stack.bootstrap, event, prefix)
    rec_id, cid = event["data"]["recommendation"]["id"], event["data"]["commitment"]["id"]
    with httpx.Client(base_url=tracker_proc.url, follow_redirects=False) as phone:
        wait_until(lambda: phone.get(f"/api/v1/commitments/{cid}").status_code == 200, timeout=30)
        assert _reply(phone, slug, rec_id, panel_code(uid).upper()).status_code == 403  # old codes: exact case
        r = _reply(phone, slug, rec_id, f" {panel_code(uid)} ")
        assert r.status_code == 303, r.text[-600:]
        assert "This device remembers" in phone.get(f"/panels/{slug}").text
