"""The facilitator's pages on intake, against real PostgreSQL, Kafka and an SMTP server:
sign in by a one-time link, record a session, and every refusal."""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from services.common.clock import SimulatedClock, london_today
from services.common.db import make_engine
from services.intake.app import create_app
from services.intake.domain.readability import PLAIN_EXAMPLE
from services.intake.settings import IntakeSettings
from tests.support.api import issue_token, panel_body
from tests.support.mail import mails_to

HARD = ("The operational requirements of the neighbourhood policing directorate preclude implementation "
        "of weekly engagement visitations within existing resourcing constraints.")
START = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


@pytest.fixture
def clock():
    return SimulatedClock(START)


@pytest.fixture
def intake(stack, database_url, prefix, smtp, clock, uid):
    settings = IntakeSettings(kafka_bootstrap_servers=stack.bootstrap, database_url=database_url,
                              followthrough_topic_prefix=prefix, smtp_host="127.0.0.1", smtp_port=smtp.port,
                              followthrough_intake_public_url="http://localhost:8001",
                              followthrough_reply_consumer=False)
    with TestClient(create_app(settings, clock)) as client:
        client.admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
        for slug in (uid, uid + "b"):
            assert client.post("/api/v1/panels", json=panel_body(slug), headers=client.admin).status_code == 201
        client.facilitator = f"Facilitator-{uid}@Example.org"
        issue_token(database_url, "facilitator", client.facilitator, panel=f"panel-{uid}")
        client.engine = make_engine(database_url)
        yield client


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _ask_for_link(client, email: str):
    return client.post("/signin", data={"email": email, "csrf": _csrf(client.get("/signin").text)})


def _link(client, smtp) -> str:
    (mail,) = mails_to(smtp, client.facilitator, 1)
    url = re.search(r"http://localhost:8001(/signin/link\?key=\S+)", mail.message.get_content()).group(1)
    return url


def _use(client, path: str):
    """Open the link, then press its button (a link that does not work has no button: the form's
    token comes from another page, as a forger's would)."""
    page = client.get(path)
    token = _csrf(page.text if 'name="csrf"' in page.text else client.get("/signin").text)
    return client.post("/signin/link", data={"key": path.split("key=")[1], "csrf": token},
                       follow_redirects=False)


def _sign_in(client, smtp):
    assert _ask_for_link(client, client.facilitator.upper()).status_code == 200  # any case
    r = _use(client, _link(client, smtp))
    assert r.status_code == 303, r.text
    return r


def test_an_unknown_address_gets_the_same_page_and_no_email(intake, smtp, uid):
    known = _ask_for_link(intake, intake.facilitator)
    unknown = _ask_for_link(intake, f"stranger-{uid}@example.org")
    assert known.status_code == unknown.status_code == 200

    def words(r):
        return re.sub(r'value="[^"]*"|<span class="user">[^<]*</span>', "", r.text)
    assert words(known) == words(unknown)
    assert len(mails_to(smtp, intake.facilitator, 1)) == 1
    time.sleep(0.5)
    assert [m for m in smtp.snapshot() if f"stranger-{uid}" in " ".join(m.envelope_to)] == []
    with intake.engine.connect() as conn:  # only the secret's digest is kept
        (digest,) = conn.execute(sa.text("SELECT secret_sha256 FROM intake_signin_links")).one()
    assert digest not in _link(intake, smtp)


def test_a_link_signs_in_once_and_is_refused_the_second_time(intake, smtp, uid):
    r = _sign_in(intake, smtp)
    assert r.headers["location"] == f"/panels/panel-{uid}/record"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert intake.get(f"/panels/panel-{uid}/record").status_code == 200
    again = _use(intake, _link(intake, smtp))
    assert again.status_code == 403 and "already used" in again.text


def test_an_expired_link_is_refused(intake, smtp, clock):
    _ask_for_link(intake, intake.facilitator)
    path = _link(intake, smtp)
    clock.advance(dt.timedelta(minutes=15, seconds=1))
    page = intake.get(path)
    assert page.status_code == 403 and "expired" in page.text
    assert "no-store" in page.headers["cache-control"]
    r = _use(intake, path)
    assert r.status_code == 403 and "expired" in r.text
    assert "ft_session" not in intake.cookies


def _record_form(client, uid: str, day: dt.date) -> dict:
    page = client.get(f"/panels/panel-{uid}/record")
    assert page.status_code == 200
    key = re.search(r'name="key" value="([^"]+)"', page.text).group(1)
    due = (day + dt.timedelta(days=60)).isoformat()
    return {"csrf": _csrf(page.text), "key": key, "count": "2", "action": "record", "date": day.isoformat(),
            "r0.title": "Tell us why you stop us", "r0.decision": "agreed", "r0.themes": ["respect"],
            "r0.commitment.action": "Brief every officer", "r0.commitment.done_means": "All briefed",
            "r0.commitment.owner.role": "Inspector", "r0.commitment.owner.email": f"insp-{uid}@example.org",
            "r0.commitment.due": due,
            "r1.title": "Publish the numbers", "r1.decision": "pending"}


def _recorded(client, uid: str) -> list:
    with client.engine.connect() as conn:
        return conn.execute(sa.text("SELECT decision, raised_on FROM intake_recommendations WHERE panel = :p"),
                            {"p": f"panel-{uid}"}).all()


def test_a_double_submit_of_the_record_form_records_once(intake, smtp, uid):
    _sign_in(intake, smtp)
    day = london_today(START) - dt.timedelta(days=1)
    form = _record_form(intake, uid, day)
    first = intake.post(f"/panels/panel-{uid}/record", data=form, follow_redirects=False)
    second = intake.post(f"/panels/panel-{uid}/record", data=form, follow_redirects=False)
    assert first.status_code == second.status_code == 303, first.text
    assert first.headers["location"] == second.headers["location"] == f"/panels/panel-{uid}/record?recorded=2"
    assert sorted(_recorded(intake, uid)) == [("agreed", day), ("pending", day)]


def test_a_facilitator_of_another_panel_is_refused(intake, smtp, uid):
    _sign_in(intake, smtp)
    other = f"/panels/panel-{uid}b/record"
    assert intake.get(other).status_code == 403
    form = _record_form(intake, uid, london_today(START))
    r = intake.post(other, data=form)
    assert r.status_code == 403 and "only for your own panel" in r.text
    assert _recorded(intake, uid + "b") == []


def test_without_a_session_or_csrf_nothing_is_recorded(intake, smtp, uid):
    _sign_in(intake, smtp)
    form = _record_form(intake, uid, london_today(START))
    assert intake.post(f"/panels/panel-{uid}/record", data={**form, "csrf": "forged"}).status_code == 403
    intake.cookies.clear()
    r = intake.post(f"/panels/panel-{uid}/record", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin"
    assert _recorded(intake, uid) == []


def test_a_decline_reason_above_grade_9_is_refused_naming_the_field_with_a_plain_example(intake, uid):
    body = {"panel": f"panel-{uid}", "raised_on": "2026-01-14", "title": "Visit every week", "detail": "",
            "themes": [], "decision": "declined", "decline_reason": HARD}
    r = intake.post("/api/v1/recommendations", json=body, headers=intake.admin)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    (error,) = r.json()["errors"]
    assert error["field"] == "decline_reason" and PLAIN_EXAMPLE in error["message"]
    assert "decline_reason" in r.json()["detail"]
    body["decline_reason"] = "We do not have enough officers to visit every week. We will visit monthly instead."
    assert intake.post("/api/v1/recommendations", json=body, headers=intake.admin).status_code == 201


def test_sign_in_requests_are_limited_per_client(intake, uid):
    answers = [_ask_for_link(intake, f"someone-{i}-{uid}@example.org").status_code for i in range(6)]
    assert answers == [200] * 5 + [429]


def test_uvicorn_logs_json_when_stdout_is_piped(services):
    proc = services("intake")  # stdout is a file: not a terminal
    httpx.get(proc.url + "/healthz")
    lines = [json.loads(line) for line in proc.log().splitlines() if line.startswith("{")]
    assert any(line.get("logger", "").startswith("uvicorn") and "Uvicorn running" in line["event"]
               for line in lines), proc.log()[-2000:]
    assert not [line for line in proc.log().splitlines() if line.strip() and not line.startswith("{")]


def test_the_form_records_yes_in_principle_with_its_reason_and_date_and_refuses_a_past_date(intake, smtp, uid):
    _sign_in(intake, smtp)
    day = london_today(START) - dt.timedelta(days=1)
    form = _record_form(intake, uid, day)
    page = intake.get(f"/panels/panel-{uid}/record").text
    assert 'value="in_principle"' in page and "Yes in principle" in page
    reason = "We like this idea. We must find the money first."
    past = (day - dt.timedelta(days=1)).isoformat()
    r = intake.post(f"/panels/panel-{uid}/record", data={
        **form, "r1.decision": "in_principle", "r1.reason": reason, "r1.decide_by": past})
    assert r.status_code == 422 and "This date has passed" in r.text and 'id="r1-decide_by-error"' in r.text
    assert _recorded(intake, uid) == []
    no_reason = intake.post(f"/panels/panel-{uid}/record", data={**form, "r1.decision": "in_principle"})
    assert no_reason.status_code == 422 and 'id="r1-reason-error"' in no_reason.text

    by = london_today(START) + dt.timedelta(days=20)
    r = intake.post(f"/panels/panel-{uid}/record", data={
        **form, "r1.decision": "in_principle", "r1.reason": reason, "r1.decide_by": by.isoformat()},
        follow_redirects=False)
    assert r.status_code == 303, r.text
    with intake.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT decision, principle_reason, decide_by FROM intake_recommendations "
                                    "WHERE panel = :p ORDER BY decision"), {"p": f"panel-{uid}"}).all()
    assert [tuple(x) for x in rows] == [("agreed", None, None), ("in_principle", reason, by)]
