"""The CloudEvents validation handshake: deliveries only to a receiver that agreed."""

from __future__ import annotations

import pytest

from services.webhooks.domain.handshake import Consent, consent

ORIGIN = "followthrough.example.org"


@pytest.mark.parametrize(("status", "headers", "rate"), [
    (200, {"WebHook-Allowed-Origin": ORIGIN}, None),
    (204, {"webhook-allowed-origin": "*"}, None),
    (200, {"WEBHOOK-ALLOWED-ORIGIN": "FollowThrough.Example.org"}, None),
    (200, {"WebHook-Allowed-Origin": ORIGIN, "WebHook-Allowed-Rate": "120"}, 120),
    (200, {"WebHook-Allowed-Origin": "*", "WebHook-Allowed-Rate": "*"}, None),
])
def test_consent_given(status, headers, rate):
    answer = consent(ORIGIN, status, headers)
    assert answer.given and answer.rate_per_minute == rate


@pytest.mark.parametrize(("status", "headers", "error", "why"), [
    (None, {}, "connection refused", "connection refused"),
    (None, {}, "refused: 127.0.0.1 is not public", "not public"),
    (405, {"WebHook-Allowed-Origin": "*"}, None, "HTTP 405"),
    (500, {}, None, "HTTP 500"),
    (302, {"Location": "http://127.0.0.1/"}, None, "HTTP 302"),
    (200, {}, None, "no WebHook-Allowed-Origin"),
    (200, {"WebHook-Allowed-Origin": "other.example.org"}, None, "other.example.org"),
    (200, {"WebHook-Allowed-Origin": ""}, None, "not"),
])
def test_consent_refused(status, headers, error, why):
    answer = consent(ORIGIN, status, headers, error)
    assert not answer.given and answer.rate_per_minute is None
    assert why in answer.reason


@pytest.mark.parametrize("rate", ["0", "-3", "fast", "1e3", "9" * 40])
def test_an_unreadable_rate_does_not_undo_consent_and_is_named(rate):
    answer = consent(ORIGIN, 200, {"WebHook-Allowed-Origin": "*", "WebHook-Allowed-Rate": rate})
    assert answer == Consent(True, None, answer.reason) and "WebHook-Allowed-Rate" in answer.reason
