"""Intake in Welsh (contract §8.4), against real PostgreSQL, Kafka and an SMTP server: the record
page with `?lang=cy` is Welsh and has the same form as in English; a Welsh panel's sign-in email
and record page are Welsh; an admin's email (no panel) is English, as an operator's tools are;
the form's titles and owner's language are recorded."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from services.common.clock import SimulatedClock, london_today
from services.common.db import make_engine
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.support import vnu
from tests.support.api import issue_token, panel_body
from tests.support.mail import mails_to

START = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
BASE = "http://localhost:8001"


@pytest.fixture
def intake(stack, database_url, prefix, smtp, uid):
    settings = IntakeSettings(kafka_bootstrap_servers=stack.bootstrap, database_url=database_url,
                              followthrough_topic_prefix=prefix, smtp_host="127.0.0.1", smtp_port=smtp.port,
                              followthrough_intake_public_url=BASE, followthrough_reply_consumer=False)
    with TestClient(create_app(settings, SimulatedClock(START))) as client:
        client.admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
        welsh = {**panel_body(uid + "cy"), "language": "cy"}
        for body in (panel_body(uid), welsh):
            assert client.post("/api/v1/panels", json=body, headers=client.admin).status_code == 201
        client.database_url = database_url
        client.engine = make_engine(database_url)
        yield client


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _sign_in(client, smtp, email: str):
    """Ask for a link, take it from the email, press its button; the email."""
    client.post("/signin", data={"email": email, "csrf": _csrf(client.get("/signin").text)})
    (mail,) = mails_to(smtp, email, 1)
    path = re.search(re.escape(BASE) + r"(/signin/link\?key=\S+)", mail.message.get_content()).group(1)
    page = client.get(path)
    r = client.post("/signin/link", data={"key": path.split("key=")[1], "csrf": _csrf(page.text)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return mail.message


def _facilitator(client, uid: str, panel: str) -> str:
    email = f"facilitator-{panel}@example.org"
    issue_token(client.database_url, "facilitator", email, panel=f"panel-{panel}")
    return email


def _fields(html: str) -> list[tuple[str, str]]:
    """The form's controls: each one's kind and name, in order."""
    return re.findall(r'<(input|select|textarea|button)\b[^>]*?\bname="([^"]+)"', html)


def test_the_record_page_with_lang_cy_is_welsh_and_has_the_same_form_as_in_english(intake, smtp, uid):
    _sign_in(intake, smtp, _facilitator(intake, uid, uid))
    welsh = intake.get(f"/panels/panel-{uid}/record?lang=cy")
    english = intake.get(f"/panels/panel-{uid}/record?lang=en")
    assert welsh.status_code == english.status_code == 200
    assert '<html lang="cy">' in welsh.text and "<h1>Cofnodi sesiwn</h1>" in welsh.text
    assert ">Cofnodi’r cyfan</button>" in welsh.text and ">Ychwanegu un arall</button>" in welsh.text
    assert "<h1>Record a session</h1>" in english.text and ">Record all</button>" in english.text
    assert "Record a session" not in welsh.text and "Record all" not in welsh.text
    assert _fields(welsh.text) == _fields(english.text)
    assert ("select", "r0.commitment.owner.language") in _fields(welsh.text)
    assert ("input", "r0.title_cy") in _fields(welsh.text)
    errors = vnu.check({"record in Welsh": welsh.text, "record in English": english.text})
    assert not errors, f"the record page is not valid HTML: {errors}"


def test_a_welsh_panels_signin_email_and_record_page_are_welsh(intake, smtp, uid):
    message = _sign_in(intake, smtp, _facilitator(intake, uid, uid + "cy"))
    assert message["Subject"] == "Eich dolen mewngofnodi followthrough"
    assert "agorwch y ddolen hon" in message.get_content() and "open this link" not in message.get_content()
    page = intake.get(f"/panels/panel-{uid}cy/record")
    assert "<h1>Cofnodi sesiwn</h1>" in page.text  # the panel's language, with no choice made
    assert "<h1>Record a session</h1>" in intake.get(f"/panels/panel-{uid}cy/record?lang=en").text


def test_an_admins_signin_email_is_english(intake, smtp):
    message = _sign_in(intake, smtp, "admin@example.org")
    assert message["Subject"].strip() == "Your followthrough sign-in link"
    body = message.get_content()
    assert "open this link" in body and "agorwch y ddolen hon" not in body


def test_the_form_records_welsh_and_english_titles_and_the_owners_language(intake, smtp, uid):
    _sign_in(intake, smtp, _facilitator(intake, uid, uid))
    page = intake.get(f"/panels/panel-{uid}/record?lang=cy")
    day = london_today(START) - dt.timedelta(days=1)
    form = {"csrf": _csrf(page.text), "key": re.search(r'name="key" value="([^"]+)"', page.text).group(1),
            "count": "1", "action": "record", "date": day.isoformat(),
            "r0.title": "Tell us why you stop us", "r0.title_en": "Tell us why you stop us",
            "r0.title_cy": "Dywedwch wrthon ni pam rydych chi’n ein stopio", "r0.decision": "agreed",
            "r0.commitment.action": "Brief every officer", "r0.commitment.done_means": "All briefed",
            "r0.commitment.owner.role": "Inspector", "r0.commitment.owner.email": f"insp-{uid}@example.org",
            "r0.commitment.owner.language": "welsh", "r0.commitment.due": (day + dt.timedelta(days=60)).isoformat()}
    refused = intake.post(f"/panels/panel-{uid}/record", data=form)
    assert refused.status_code == 422
    assert "Dewiswch Saesneg, Cymraeg neu Ddim yn gwybod." in refused.text
    assert "Mae angen cywiro rhai atebion." in refused.text

    r = intake.post(f"/panels/panel-{uid}/record", data={**form, "r0.commitment.owner.language": "cy"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    with intake.engine.connect() as conn:
        titles, commitment = conn.execute(sa.text(
            "SELECT titles, commitment FROM intake_recommendations WHERE panel = :p"), {"p": f"panel-{uid}"}).one()
    assert titles == {"en": "Tell us why you stop us", "cy": "Dywedwch wrthon ni pam rydych chi’n ein stopio"}
    assert commitment["owner"]["language"] == "cy"
    done = intake.get(r.headers["location"])
    assert "Cofnodwyd 1 argymhelliad." in done.text
