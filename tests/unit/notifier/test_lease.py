"""The lease outlives the longest send, so no replica takes a row that is still being sent.

A send is bounded as a whole (SMTP_TIMEOUT times the stages it waits on), not only
per SMTP command; the lease is at least a quarter more than that."""

from __future__ import annotations

import datetime as dt

from services.notifier.adapters.smtp_mailer import SEND_STAGES, SmtpMailer
from services.notifier.domain.delivery import effective_lease
from services.notifier.settings import NotifierSettings


def mailer(timeout: float) -> SmtpMailer:
    return SmtpMailer("127.0.0.1", 1025, username=None, password=None, starttls=False, timeout=timeout)


def test_the_default_lease_outlives_the_default_longest_send():
    settings = NotifierSettings(_env_file=None)
    longest = mailer(settings.smtp_timeout).longest_send
    assert longest == 20 * SEND_STAGES
    assert effective_lease(settings.followthrough_delivery_lease_seconds, longest) == dt.timedelta(seconds=75)


def test_a_lease_shorter_than_the_longest_send_is_raised():
    # The old defaults: a 60 s lease under 20 s SMTP stages, which a slow server outlasted.
    assert effective_lease(60, mailer(20).longest_send) == dt.timedelta(seconds=75)


def test_a_longer_lease_is_kept():
    assert effective_lease(300, mailer(20).longest_send) == dt.timedelta(seconds=300)
    assert effective_lease(2, mailer(0.5).longest_send) == dt.timedelta(seconds=2)
