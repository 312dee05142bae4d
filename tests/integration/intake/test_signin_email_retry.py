"""A sign-in email the mail server cannot take is retried, on real PostgreSQL and a real SMTP
server (aiosmtpd): while the server's port is closed, then while it answers 451, intake keeps
trying with the same Message-ID; once it accepts, the facilitator has exactly one email and its
link signs them in. A link that expires first is given up, and its secret leaves the database.
Two replicas on one database send each email once."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import time

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from devtools.catcher import RecordingHandler
from services.common.clock import SimulatedClock
from services.common.db import make_engine
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.support.api import issue_token
from tests.support.mail import mails_to

START = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
BASE = "http://localhost:8001"
STEP = dt.timedelta(seconds=20)  # more than each of the first retries' waits


class RefusalsSeen(RecordingHandler):
    """Records the Message-ID of every message it refuses with 451, as well as what it accepts."""

    def __init__(self) -> None:
        super().__init__()
        self.refused_ids: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.refused_ids.append(msg["Message-ID"])
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def clock():
    return SimulatedClock(START)


@pytest.fixture
def down_smtp(smtp):
    """The test SMTP server, stopped: its port refuses connections until the test starts it."""
    smtp.stop()
    smtp.handler = RefusalsSeen()
    return smtp


@pytest.fixture
def intake(stack, database_url, prefix, down_smtp, clock, uid):
    settings = IntakeSettings(kafka_bootstrap_servers=stack.bootstrap, database_url=database_url,
                              followthrough_topic_prefix=prefix, smtp_host="127.0.0.1", smtp_port=down_smtp.port,
                              smtp_timeout=2, followthrough_intake_public_url=BASE,
                              followthrough_reply_consumer=False, followthrough_outbox_relay=False)
    with TestClient(create_app(settings, clock)) as client:
        client.facilitator = f"fac-{uid}@example.org"
        issue_token(database_url, "facilitator", client.facilitator, panel=f"panel-{uid}")
        client.engine = make_engine(database_url)
        yield client


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _ask(client, address: str):
    return client.post("/signin", data={"email": address, "csrf": _csrf(client.get("/signin").text)})


def _let_time_pass(clock, until, steps: int = 20) -> bool:
    """Move the simulated clock on a step at a time, giving intake's sender a moment after each,
    until `until()` holds; whether it did."""
    for _ in range(steps):
        if until():
            return True
        clock.advance(STEP)
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline and not until():
            time.sleep(0.05)
    return until()


def _rows(client) -> list:
    with client.engine.connect() as conn:
        return conn.execute(sa.text("SELECT state, attempts, link, message_id FROM intake_signin_emails")).all()


def test_an_email_the_server_cannot_take_is_retried_until_it_does_with_one_message_id(intake, down_smtp, clock):
    known, unknown = _ask(intake, intake.facilitator), _ask(intake, "stranger@example.org")
    assert known.status_code == unknown.status_code == 200

    def words(r):
        return re.sub(r'value="[^"]*"|<span class="user">[^<]*</span>', "", r.text)
    assert words(known) == words(unknown), "the page tells who is known when the email could not be sent"

    _let_time_pass(clock, lambda: False, steps=3)  # the port is closed: attempts fail to connect
    down_smtp.handler.refuse = True
    down_smtp.start()  # up, but answering 451 to every message
    assert _let_time_pass(clock, lambda: len(down_smtp.handler.refused_ids) >= 2), \
        "no attempt reached the server after it came back: the sign-in email was lost, not retried"
    down_smtp.handler.refuse = False
    mails = []
    assert _let_time_pass(clock, lambda: mails.extend(mails_to(down_smtp, intake.facilitator, 1, 0)) or mails)

    _let_time_pass(clock, lambda: False, steps=3)  # later passes send nothing more
    (mail,) = mails_to(down_smtp, intake.facilitator, 2, timeout=0.5)
    assert set(down_smtp.handler.refused_ids) == {mail.message_id}, "a retry carried another Message-ID"
    assert [m for m in down_smtp.snapshot() if "stranger" in " ".join(m.envelope_to)] == []

    (row,) = _rows(intake)
    assert row.state == "sent" and row.link is None and row.message_id == mail.message_id
    assert row.attempts >= 2 + len(down_smtp.handler.refused_ids), "no attempt while the port was closed"

    key = re.search(re.escape(BASE) + r"/signin/link\?key=(\S+)", mail.message.get_content()).group(1)
    page = intake.get(f"/signin/link?key={key}")
    used = intake.post("/signin/link", data={"key": key, "csrf": _csrf(page.text)}, follow_redirects=False)
    assert used.status_code == 303, "the link in the retried email does not sign in"


def test_an_email_still_failing_when_its_link_expires_is_given_up_and_its_link_forgotten(
        intake, down_smtp, clock):
    assert _ask(intake, intake.facilitator).status_code == 200
    assert _let_time_pass(clock, lambda: _rows(intake) and _rows(intake)[0].attempts >= 2)
    clock.advance(dt.timedelta(minutes=15))
    assert _let_time_pass(clock, lambda: _rows(intake)[0].state == "given_up"), _rows(intake)
    (row,) = _rows(intake)
    assert row.link is None, "a given-up row still holds a working secret"
    down_smtp.start()
    _let_time_pass(clock, lambda: False, steps=2)
    assert mails_to(down_smtp, intake.facilitator, 1, timeout=0.5) == [], "an expired link was sent"


def test_two_replicas_send_each_email_once(stack, database_url, prefix, smtp, clock, uid):
    settings = IntakeSettings(kafka_bootstrap_servers=stack.bootstrap, database_url=database_url,
                              followthrough_topic_prefix=prefix, smtp_host="127.0.0.1", smtp_port=smtp.port,
                              followthrough_intake_public_url=BASE,
                              followthrough_reply_consumer=False, followthrough_outbox_relay=False)
    facilitator = f"fac-{uid}@example.org"
    with TestClient(create_app(settings, clock)) as one, TestClient(create_app(settings, clock)) as two:
        issue_token(database_url, "facilitator", facilitator, panel=f"panel-{uid}")
        for replica in (one, two, one, two):
            assert _ask(replica, facilitator).status_code == 200
        mails = mails_to(smtp, facilitator, 4)
        time.sleep(1.5)  # both senders pass over the table a few more times
        mails = mails_to(smtp, facilitator, 5, timeout=0)
    assert len(mails) == 4 and len({m.message_id for m in mails}) == 4, \
        f"{len(mails)} emails for 4 links: a replica sent one another had claimed"
