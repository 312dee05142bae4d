"""The sign-in email sender (services/intake/usecases/signinmail.py) on the in-memory storage and
a mailer that fails as told: a failed send is tried again after its wait with the same
Message-ID, sent once, given up when the link expires or the server refuses for good (the
link forgotten, counted), and a sender that died mid-send is taken over after the lease.
The same on PostgreSQL with a real SMTP server: tests/integration/intake/test_signin_email_retry.py."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from prometheus_client import REGISTRY

from services.common.clock import SimulatedClock
from services.intake.domain.signin import digest
from services.intake.domain.signinmail import SendResult
from services.intake.usecases import signin
from services.intake.usecases.signinmail import SigninMail
from tests.unit.intake.fakes import FakeStorage

NOW = dt.datetime(2026, 3, 2, 10, tzinfo=dt.timezone.utc)
ADDRESS = "youth.worker@example.org"
LEASE = dt.timedelta(seconds=30)


class Mailer:
    """Answers with `results` in turn (then accepts), keeping what it was asked to send."""

    longest_send = 10.0

    def __init__(self, *results: SendResult) -> None:
        self.results, self.tries = list(results), []

    async def send(self, to, link, message_id, language=None) -> SendResult:
        self.tries.append((to, link, message_id))
        return self.results.pop(0) if self.results else SendResult(ok=True)


@pytest.fixture
def clock():
    return SimulatedClock(NOW)


@pytest.fixture
def storage() -> FakeStorage:
    storage = FakeStorage()
    storage.person("fac", "facilitator", ADDRESS, "p1", created_at=NOW - dt.timedelta(days=1))
    return storage


def _given_up() -> float:
    return REGISTRY.get_sample_value("followthrough_signin_emails_total", {"result": "given_up"}) or 0.0


def _pass(sender: SigninMail) -> bool:
    return asyncio.run(sender.once())


def _email(storage) -> dict:
    (email,) = storage.state.emails.values()
    return email


def test_the_email_is_written_with_its_link_and_nothing_goes_to_the_events(storage, clock):
    person = signin.email_link(storage, ADDRESS, NOW, "http://intake.example.org")
    assert person.token_id == "fac"
    (key,) = storage.state.links
    assert set(storage.state.emails) == {key}
    assert _email(storage)["link"].startswith("http://intake.example.org/signin/link?key=")
    assert digest(_email(storage)["link"].split("key=")[1]) == key
    assert storage.events() == [], "a sign-in link went towards Kafka"
    assert signin.email_link(storage, "nobody@example.org", NOW, "http://i") is None
    assert len(storage.state.emails) == 1


def test_a_failed_send_is_tried_again_after_its_wait_with_the_same_message_id(storage, clock):
    signin.email_link(storage, ADDRESS, NOW, "http://i")
    mailer = Mailer(SendResult(ok=False, error="SMTPConnectError"), SendResult(ok=False, error="451 later"))
    sender = SigninMail(storage, mailer, LEASE, clock=clock)
    assert _pass(sender) and len(mailer.tries) == 1
    assert not _pass(sender), "tried again before its wait"
    clock.advance(dt.timedelta(seconds=2))
    assert _pass(sender) and len(mailer.tries) == 2
    clock.advance(dt.timedelta(seconds=3))
    assert not _pass(sender)
    clock.advance(dt.timedelta(seconds=1))  # the second wait is 4 s
    assert _pass(sender)
    clock.advance(dt.timedelta(minutes=5))
    assert not _pass(sender), "a sent email was sent again"
    assert len(mailer.tries) == 3 and len(set(mailer.tries)) == 1, "the tries differ (address, link or Message-ID)"
    email = _email(storage)
    assert (email["state"], email["link"], email["attempts"]) == ("sent", None, 3)


def test_an_email_still_failing_when_its_link_expires_is_given_up_and_forgotten(storage, clock):
    signin.email_link(storage, ADDRESS, NOW, "http://i")
    sender = SigninMail(storage, Mailer(*[SendResult(ok=False, error="451")] * 100), LEASE, clock=clock)
    before = _given_up()
    while _email(storage)["state"] != "given_up":
        assert clock.now() < NOW + dt.timedelta(minutes=16), "still trying after the link expired"
        _pass(sender)
        clock.advance(dt.timedelta(seconds=5))
    assert _email(storage)["link"] is None and clock.now() <= NOW + dt.timedelta(minutes=15, seconds=5)
    assert _given_up() == before + 1


def test_a_link_that_expired_while_intake_was_away_is_given_up_unsent(storage, clock):
    signin.email_link(storage, ADDRESS, NOW, "http://i")
    mailer = Mailer()
    clock.advance(dt.timedelta(minutes=15))
    assert _pass(SigninMail(storage, mailer, LEASE, clock=clock))
    assert mailer.tries == [] and _email(storage)["state"] == "given_up" and _email(storage)["link"] is None


def test_a_permanent_refusal_is_given_up_at_once(storage, clock):
    signin.email_link(storage, ADDRESS, NOW, "http://i")
    sender = SigninMail(storage, Mailer(SendResult(ok=False, permanent=True, error="recipient refused")), LEASE,
                        clock=clock)
    _pass(sender)
    assert _email(storage)["state"] == "given_up"


def test_a_sender_that_died_mid_send_is_taken_over_after_the_lease_with_the_same_message_id(storage, clock):
    signin.email_link(storage, ADDRESS, NOW, "http://i")
    with storage.transaction() as store:
        (crashed,) = store.claim_signin_emails(NOW, LEASE, 10)  # claimed, then the process died
    mailer = Mailer()
    sender = SigninMail(storage, mailer, LEASE, clock=clock)
    assert not _pass(sender), "another sender took a row still within its lease"
    clock.advance(LEASE + dt.timedelta(seconds=1))
    assert _pass(sender)
    assert [t[2] for t in mailer.tries] == [crashed.message_id] and _email(storage)["state"] == "sent"


def test_a_mailer_that_raises_counts_as_a_failed_try(storage, clock):
    class Raising(Mailer):
        async def send(self, to, link, message_id, language=None):
            raise RuntimeError("surprise")
    signin.email_link(storage, ADDRESS, NOW, "http://i")
    _pass(SigninMail(storage, Raising(), LEASE, clock=clock))
    email = _email(storage)
    assert (email["state"], email["last_error"]) == ("pending", "RuntimeError")
    assert email["next_attempt_at"] == NOW + dt.timedelta(seconds=2)
