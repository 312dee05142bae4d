"""The mailer against a real (in-process) SMTP server: it bounds a whole send, not
only each command, and says how many sends can start now."""

from __future__ import annotations

import asyncio
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from services.notifier.adapters.smtp_mailer import SmtpMailer
from tests.support.services import free_port


class Sluggish:
    """Answers every command it has a hook for after `delay` seconds."""

    def __init__(self, delay: float) -> None:
        self.delay, self.accepted = delay, 0

    async def _wait(self) -> None:
        await asyncio.sleep(self.delay)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        await self._wait()
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        await self._wait()
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await self._wait()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await self._wait()
        self.accepted += 1
        return "250 OK"


def message() -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@example.org", "b@example.org", "hello"
    msg.set_content("hello")
    return msg


def serve(handler) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


def test_a_send_slow_at_every_stage_fails_at_the_send_deadline():
    # Each command answers within the 1 s timeout, but four of them take 3.2 s: longer than 1 s x 3 stages.
    handler = Sluggish(0.8)
    controller, port = serve(handler)
    try:
        mailer = SmtpMailer("127.0.0.1", port, username=None, password=None, starttls=False, timeout=1.0)
        started = time.monotonic()
        result = asyncio.run(mailer.send(message()))
        took = time.monotonic() - started
    finally:
        controller.stop()
    assert not result.ok and result.recoverable
    assert "Timeout" in result.error
    assert took < 3.5  # the 1 s timeout times the 3 stages a send waits on, and a little


def test_free_slots_count_the_sends_in_flight():
    handler = Sluggish(0.3)
    controller, port = serve(handler)
    try:
        mailer = SmtpMailer("127.0.0.1", port, username=None, password=None, starttls=False, timeout=5.0,
                            connections=3)

        async def two_sends() -> tuple[int, int]:
            sends = [asyncio.create_task(mailer.send(message())) for _ in range(2)]
            await asyncio.sleep(0.1)
            during = mailer.free_slots()
            await asyncio.gather(*sends)
            return during, mailer.free_slots()

        assert mailer.free_slots() == 3
        assert asyncio.run(two_sends()) == (1, 3)
    finally:
        controller.stop()
    assert handler.accepted == 2
