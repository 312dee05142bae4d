"""Secrets, keys and the Standard Webhooks `webhook-signature` header.

Two schemes: `v1`, HMAC-SHA256 with a shared secret (`whsec_…`), signed by the standardwebhooks package;
and `v1a`, Ed25519 (`whsk_…` private, kept by us; `whpk_…` public, given to the receiver), signed with
the cryptography package, so the receiver holds nothing that could forge our messages. Both sign
"{webhook-id}.{webhook-timestamp}.{body}". During a key rotation the header carries one signature per key,
newest first, and a receiver that knows either key verifies."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import secrets
from dataclasses import dataclass
from typing import Literal, Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from standardwebhooks import Webhook

Scheme = Literal["v1", "v1a"]
SCHEMES: tuple[Scheme, ...] = ("v1", "v1a")
SECRET_PREFIX, PRIVATE_PREFIX, PUBLIC_PREFIX = "whsec_", "whsk_", "whpk_"
_RAW = serialization.Encoding.Raw


@dataclass(frozen=True)
class NewKey:
    scheme: Scheme
    private: str  # what we sign with (stored encrypted)
    shown: str  # what the receiver verifies with, shown once: the secret itself for v1, the public key for v1a


def new_key(scheme: Scheme) -> NewKey:
    if scheme == "v1":
        secret = SECRET_PREFIX + _b64(secrets.token_bytes(32))
        return NewKey("v1", secret, secret)
    if scheme == "v1a":
        key = Ed25519PrivateKey.generate()
        private = key.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
        public = key.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
        return NewKey("v1a", PRIVATE_PREFIX + _b64(private), PUBLIC_PREFIX + _b64(public))
    raise ValueError(f"signature scheme {scheme!r} is not known; use one of {', '.join(SCHEMES)}")


def sign(private: str, msg_id: str, timestamp: dt.datetime, body: bytes) -> str:
    """One signature, "v1,<base64>" or "v1a,<base64>", by the key's prefix."""
    if private.startswith(SECRET_PREFIX):
        return Webhook(private).sign(msg_id, timestamp, body)
    if private.startswith(PRIVATE_PREFIX):
        key = Ed25519PrivateKey.from_private_bytes(_unb64(private.removeprefix(PRIVATE_PREFIX)))
        return "v1a," + _b64(key.sign(_signed_content(msg_id, timestamp, body)))
    raise ValueError(f"a signing key starts {SECRET_PREFIX!r} or {PRIVATE_PREFIX!r}; make one with new_key()")


def signature_header(privates: Sequence[str], msg_id: str, timestamp: dt.datetime, body: bytes) -> str:
    """The `webhook-signature` value: one signature per key, space-separated, in the order given (newest
    first: the caller's signing keys)."""
    if not privates:
        raise ValueError("signature_header needs at least one signing key")
    return " ".join(sign(private, msg_id, timestamp, body) for private in privates)


def verify_v1a(public: str, msg_id: str, timestamp: dt.datetime | int, body: bytes, header: str) -> bool:
    """Whether any `v1a` signature in `header` is by `public` over this message (for tests and the demo
    receiver; the timestamp's freshness is the caller's to check)."""
    try:
        key = Ed25519PublicKey.from_public_bytes(_unb64(public.removeprefix(PUBLIC_PREFIX)))
    except ValueError:
        return False
    content = _signed_content(msg_id, timestamp, body)
    for item in header.split():
        scheme, _, signature = item.partition(",")
        if scheme != "v1a":
            continue
        try:
            key.verify(_unb64(signature), content)
            return True
        except (InvalidSignature, ValueError):
            continue
    return False


def unix_seconds(timestamp: dt.datetime | int) -> int:
    """The `webhook-timestamp` value; a naive datetime is UTC, as the standardwebhooks package reads it."""
    if isinstance(timestamp, int):
        return timestamp
    if timestamp.tzinfo is None:
        timestamp = timestamp.replace(tzinfo=dt.timezone.utc)
    return math.floor(timestamp.timestamp())


def _signed_content(msg_id: str, timestamp: dt.datetime | int, body: bytes) -> bytes:
    return f"{msg_id}.{unix_seconds(timestamp)}.".encode() + bytes(body)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as exc:  # a subclass of ValueError: callers catch that
        raise ValueError(f"not base64: {exc}") from None
