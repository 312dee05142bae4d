"""What an HTTP answer to a delivery means, and Retry-After in seconds or as an HTTP date."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime

import pytest

from services.webhooks.domain.outcome import Outcome, judge, parse_retry_after

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(("status", "headers", "error", "expected"), [
    (200, {}, None, Outcome("delivered", "HTTP 200")),
    (204, {}, None, Outcome("delivered", "HTTP 204")),
    (410, {}, None, Outcome("gone", "HTTP 410: the receiver says this subscription is gone")),
    (500, {}, None, Outcome("retry", "HTTP 500")),
    (404, {}, None, Outcome("retry", "HTTP 404")),
    (None, {}, "timeout after 15s", Outcome("retry", "timeout after 15s")),
    (None, {}, "refused: 127.0.0.1 is not public", Outcome("retry", "refused: 127.0.0.1 is not public")),
    (None, {}, None, Outcome("retry", "no answer")),
    (302, {"Location": "http://127.0.0.1/x"}, None,
     Outcome("retry", "HTTP 302: redirect to http://127.0.0.1/x not followed")),
    (429, {"Retry-After": "120"}, None, Outcome("retry", "HTTP 429 (Retry-After 120s)", dt.timedelta(seconds=120))),
    (503, {"retry-after": "7"}, None, Outcome("retry", "HTTP 503 (Retry-After 7s)", dt.timedelta(seconds=7))),
    (429, {}, None, Outcome("retry", "HTTP 429")),
    (429, {"Retry-After": "soon"}, None, Outcome("retry", "HTTP 429")),
])
def test_judge(status, headers, error, expected):
    assert judge(status, headers, error, NOW) == expected


def test_retry_after_as_seconds():
    assert parse_retry_after("0", NOW) == dt.timedelta(0)
    assert parse_retry_after(" 3600 ", NOW) == dt.timedelta(hours=1)
    assert parse_retry_after("9" * 5000, NOW) == dt.timedelta(days=365)


def test_retry_after_as_an_http_date():
    later = NOW + dt.timedelta(minutes=5)
    assert parse_retry_after(format_datetime(later, usegmt=True), NOW) == dt.timedelta(minutes=5)
    assert parse_retry_after("Sun, 01 Mar 2026 09:01:30 GMT", NOW) == dt.timedelta(seconds=90)
    assert parse_retry_after("Sun, 01 Mar 2026 08:00:00 GMT", NOW) == dt.timedelta(0)  # already past


@pytest.mark.parametrize("value", [None, "", "  ", "-5", "1.5", "tomorrow", "\u0663"])
def test_retry_after_unreadable_is_none(value):
    assert parse_retry_after(value, NOW) is None
