"""The disabled subscription's owner gets one plain email through a real SMTP server."""

from __future__ import annotations

import asyncio
import datetime as dt
from types import SimpleNamespace

from services.webhooks.adapters.owner_mail import tell_owner
from services.webhooks.adapters.store import Subscription
from tests.support.services import free_port

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)


def settings(port: int) -> SimpleNamespace:
    return SimpleNamespace(smtp_host="127.0.0.1", smtp_port=port, smtp_username=None, smtp_password=None,
                           smtp_from="followthrough <noreply@followthrough.example>", smtp_starttls=False,
                           smtp_timeout=2.0)


def sub(owner: str | None = "owner@example.org") -> Subscription:
    return Subscription(id="sub_abc", url="https://crm.example/hooks", types=("*",), scheme="v1",
                        owner_email=owner, state="disabled", created_at=T0, key_enc="sealed-key-text")


def test_the_owner_is_told_what_stopped_and_why(smtp):
    assert asyncio.run(tell_owner(settings(smtp.port), sub(), "HTTP 410 Gone")) is True
    (caught,) = smtp.snapshot()
    assert caught.envelope_to == ("owner@example.org",)
    text = caught.message.get_content()
    assert "sub_abc" in caught.message["Subject"]
    assert "https://crm.example/hooks" in text and "HTTP 410 Gone" in text
    assert "sealed-key-text" not in caught.message.as_string()


def test_no_owner_no_email(smtp):
    assert asyncio.run(tell_owner(settings(smtp.port), sub(owner=None), "gone")) is False
    assert smtp.snapshot() == []


def test_a_mail_server_down_is_reported_not_raised():
    assert asyncio.run(tell_owner(settings(free_port()), sub(), "gone")) is False
