"""One way to keep who is asking without keeping who they are: a keyed hash (HMAC-SHA-256 with
the service's secret key) of a client's address or an email address. Enough to count attempts
per client, not enough to find anyone: without the key, a hash cannot be matched to an address."""

from __future__ import annotations

import hashlib
import hmac

from starlette.requests import Request

LENGTH = 32  # hex characters: 128 bits, plenty to tell clients apart


def keyed_hash(key: str | bytes, value: str) -> str:
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:LENGTH]


def client_hash(key: str | bytes, request: Request) -> str:
    """The request's client (the address behind the proxy, see clientaddress.py), hashed."""
    return keyed_hash(key, request.client.host if request.client else "unknown")
