"""Signatures a receiver verifies with the standardwebhooks package (v1) or an Ed25519 public key (v1a),
with either key during a rotation."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from services.webhooks.domain.payload import delivery_headers
from services.webhooks.domain.signing import new_key, sign, signature_header, verify_v1a

BODY = '{"id":"e1","data":{"title":"Café ✓"}}'.encode()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)  # the package refuses a timestamp more than 5 minutes off


def test_key_shapes():
    v1 = new_key("v1")
    assert v1.private == v1.shown and v1.private.startswith("whsec_")
    assert len(base64.b64decode(v1.private.removeprefix("whsec_"))) == 32
    v1a = new_key("v1a")
    assert v1a.private.startswith("whsk_") and v1a.shown.startswith("whpk_")
    assert len(base64.b64decode(v1a.private.removeprefix("whsk_"))) == 32
    assert len(base64.b64decode(v1a.shown.removeprefix("whpk_"))) == 32
    assert new_key("v1").private != v1.private


def test_an_unknown_scheme_is_named():
    with pytest.raises(ValueError, match="'v2'.*v1, v1a"):
        new_key("v2")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="whsec_"):
        sign("secret", "m", _now(), BODY)


@given(st.binary(max_size=200), st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1))
def test_a_v1_header_verifies_with_the_standardwebhooks_package(body, msg_id):
    key, now = new_key("v1"), _now()
    headers = delivery_headers(msg_id, now, signature_header([key.private], msg_id, now, body))
    Webhook(key.shown).verify(body, headers, json_parse=False)


def test_a_changed_body_or_another_secret_fails():
    key, now = new_key("v1"), _now()
    headers = delivery_headers("msg_1", now, signature_header([key.private], "msg_1", now, BODY))
    with pytest.raises(WebhookVerificationError):
        Webhook(key.shown).verify(BODY + b" ", headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_key("v1").shown).verify(BODY, headers)


def test_during_a_rotation_two_signatures_and_either_key_verifies():
    old, new, now = new_key("v1"), new_key("v1"), _now()
    header = signature_header([new.private, old.private], "msg_1", now, BODY)
    first, second = header.split(" ")
    assert first == sign(new.private, "msg_1", now, BODY) and second == sign(old.private, "msg_1", now, BODY)
    headers = delivery_headers("msg_1", now, header)
    assert Webhook(old.shown).verify(BODY, headers) == {"id": "e1", "data": {"title": "Café ✓"}}
    Webhook(new.shown).verify(BODY, headers)


def test_v1a_verifies_with_the_public_key_and_fails_on_a_changed_body():
    key, now = new_key("v1a"), _now()
    header = signature_header([key.private], "msg_1", now, BODY)
    assert header.startswith("v1a,")
    assert verify_v1a(key.shown, "msg_1", now, BODY, header)
    assert verify_v1a(key.shown, "msg_1", int(now.timestamp()), BODY, header)
    assert not verify_v1a(key.shown, "msg_1", now, BODY + b"x", header)
    assert not verify_v1a(key.shown, "msg_2", now, BODY, header)
    assert not verify_v1a(new_key("v1a").shown, "msg_1", now, BODY, header)
    assert not verify_v1a(key.shown, "msg_1", now, BODY, "v1a,not-base64!")
    assert not verify_v1a("whpk_short", "msg_1", now, BODY, header)


def test_v1a_rotation_either_public_key_verifies():
    old, new, now = new_key("v1a"), new_key("v1a"), _now()
    header = signature_header([new.private, old.private], "msg_1", now, BODY)
    assert len(header.split(" ")) == 2
    assert verify_v1a(old.shown, "msg_1", now, BODY, header) and verify_v1a(new.shown, "msg_1", now, BODY, header)


def test_the_timestamp_signed_is_the_headers_whole_seconds():
    key = new_key("v1a")
    at = dt.datetime(2026, 3, 1, 9, 0, 0, 900000, tzinfo=dt.timezone.utc)
    header = sign(key.private, "m", at, BODY)
    assert delivery_headers("m", at, header)["webhook-timestamp"] == str(int(at.timestamp()))
    assert verify_v1a(key.shown, "m", int(at.timestamp()), BODY, header)
    assert verify_v1a(key.shown, "m", at.replace(tzinfo=None), BODY, header)  # naive is UTC


def test_signature_header_needs_a_key():
    with pytest.raises(ValueError, match="at least one"):
        signature_header([], "m", _now(), BODY)
