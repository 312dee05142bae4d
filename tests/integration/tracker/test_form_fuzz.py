"""The HTML form routes under generated input: whatever a browser (or anyone) posts, the
answer is a page with a 2xx, 3xx or 4xx status, never a 500, and nothing invalid is stored."""

from __future__ import annotations

import datetime as dt
import re
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.common.clock import london_today
from services.tracker.adapters.links import RespondLinks
from tests.support.events import agreed_event, panel_code, panel_event, publish

SECRET = "a-test-secret-that-is-long-enough-to-be-strong"
anything = st.one_of(st.text(max_size=300), st.sampled_from(["", " ", "\x00", "²", "999", "-1", "1e9", "\u2028",
                                                             "2026-02-30", "9999-12-31", "ring 07700 900123"]))


@pytest.fixture(scope="module")
def site(request):
    """One tracker and one commitment for the whole module (hypothesis runs many examples)."""
    services, stack, database_url = (request.getfixturevalue(n) for n in ("services", "stack", "database_url"))
    uid, prefix = request.getfixturevalue("uid"), request.getfixturevalue("prefix")
    tracker = services("tracker", FOLLOWTHROUGH_SECRET_KEY=SECRET, FOLLOWTHROUGH_PAGE_RATE_LIMIT="100000/minute",
                       FOLLOWTHROUGH_VERDICT_RATE_LIMIT="100000/minute")
    publish(stack.bootstrap, panel_event(uid), prefix)
    event = agreed_event(uid, london_today() + dt.timedelta(days=30))
    publish(stack.bootstrap, event, prefix)
    cid = event["data"]["commitment"]["id"]
    deadline = time.monotonic() + 20
    while httpx.get(f"{tracker.url}/api/v1/commitments/{cid}").status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    link = RespondLinks(SECRET, tracker.url).url(cid, f"o-{uid}@example.org")
    client = httpx.Client()
    page = client.get(link)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    yield {"client": client, "respond": link.split("?")[0], "token": link.split("token=")[1], "csrf": csrf,
           "verdict": f"{tracker.url}/panels/panel-{uid}/commitments/{cid}/verdict",
           "approve": f"{tracker.url}/commitments/{cid}/approve", "api": f"{tracker.url}/api/v1/commitments/{cid}",
           "reply": f"{tracker.url}/panels/panel-{uid}/recommendations/{event['subject']}/reply",
           "recommendation": f"{tracker.url}/api/v1/recommendations/{event['subject']}", "code": panel_code(uid)}
    client.close()


# The services fixtures are function-scoped in conftest; this module needs them once.
@pytest.fixture(scope="module")
def services(request, tmp_path_factory):
    from tests.conftest import ARTIFACTS
    from tests.support.services import ServiceProcess
    env = request.getfixturevalue("service_env")
    started = []

    def start(name, **extra):
        proc = ServiceProcess(name, {**env, **extra}, ARTIFACTS / "logs")
        started.append(proc)
        return proc.start()
    yield start
    for proc in started:
        proc.stop()


@pytest.fixture(scope="module")
def service_env(stack, database_url, prefix):
    return {"FOLLOWTHROUGH_TOPIC_PREFIX": prefix, "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap,
            "DATABASE_URL": database_url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": "9",
            "FOLLOWTHROUGH_SCAN_INTERVAL": "1"}


@pytest.fixture(scope="module")
def database_url(stack):
    return stack.new_database()


@pytest.fixture(scope="module")
def uid():
    import uuid
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def prefix(stack, uid):
    from services.common.topics import ensure_topics
    ensure_topics(stack.bootstrap, prefix=f"t{uid}.")
    return f"t{uid}."


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(action=st.sampled_from(["update", "done", "extend", "", "withdraw"]), note=anything, percent=anything,
       summary=anything, evidence_url=anything, evidence_note=anything, new_due=anything, reason=anything)
def test_the_respond_form_never_fails_with_a_server_error(site, action, note, percent, summary, evidence_url,
                                                          evidence_note, new_due, reason):
    r = site["client"].post(site["respond"], data={
        "token": site["token"], "csrf": site["csrf"], "action": action, "note": note, "percent": percent,
        "summary": summary, "evidence_url": evidence_url, "evidence_note": evidence_note, "new_due": new_due,
        "reason": reason})
    assert r.status_code < 500, r.text[:500]
    state = httpx.get(site["api"]).json()
    assert "\x00" not in str(state) and "07700" not in str(state)


@FUZZ
@given(verdict=anything | st.sampled_from(["confirmed", "disputed"]), access_code=anything, comment=anything,
       csrf=st.booleans())
def test_the_verdict_form_never_fails_with_a_server_error(site, verdict, access_code, comment, csrf):
    r = site["client"].post(site["verdict"], data={"verdict": verdict, "access_code": access_code,
                                                   "comment": comment,
                                                   "csrf": site["csrf"] if csrf else "forged"})
    assert r.status_code < 500, r.text[:500]


@FUZZ
@given(token=anything, csrf=anything)
def test_the_approval_form_never_fails_with_a_server_error(site, token, csrf):
    r = site["client"].post(site["approve"], data={"token": token, "csrf": csrf})
    assert r.status_code < 500, r.text[:500]


@FUZZ
@given(reply=anything | st.sampled_from(["accept", "insist", "counter"]), right_code=st.booleans(),
       comment=anything, title=anything, csrf=st.booleans())
def test_the_reply_form_never_fails_with_a_server_error(site, reply, right_code, comment, title, csrf):
    r = site["client"].post(site["reply"], data={"reply": reply, "access_code": site["code"] if right_code else "x",
                                                 "comment": comment, "title": title,
                                                 "csrf": site["csrf"] if csrf else "forged"})
    assert r.status_code < 500, r.text[:500]
    state = httpx.get(site["recommendation"]).json()
    assert "\x00" not in str(state) and "07700" not in str(state)
