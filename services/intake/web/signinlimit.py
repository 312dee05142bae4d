"""How often a client may ask for a sign-in link, and how many links may go to one address."""

from __future__ import annotations

import math
import time

from fastapi import Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from services.common.clienthash import client_hash, keyed_hash


class SigninLimit:
    """Sign-in requests in this process's memory (the `limits` library's moving window, as the
    tracker's page limits: N replicas let through up to N times each limit). Addresses and
    clients are kept only as keyed hashes.

    - per client: requests of any kind, so nobody tries address after address;
    - per address and client: links for one address from one client, so requests from
      elsewhere never use up a facilitator's own;
    - per address, from everywhere: a higher cap, so nobody fills an inbox from many clients."""

    def __init__(self, limit: str, address_limit: str, secret_key: str) -> None:
        self._window = MovingWindowRateLimiter(MemoryStorage())
        self._limit, self._cap = parse(limit), parse(address_limit)
        self._key = secret_key.encode()

    def client_wait(self, request: Request) -> int:
        """0 when this client may ask now (and the request is counted); else seconds to wait."""
        return self._wait(self._limit, "signin-client", self._client(request))

    def address_wait(self, email: str, request: Request) -> int:
        """0 when a link may go to `email` now (and it is counted); else seconds to wait."""
        address = self._hash(email.strip().lower())
        return (self._wait(self._limit, "signin-address-client", address, self._client(request))
                or self._wait(self._cap, "signin-address", address))

    def _wait(self, limit, *key: str) -> int:
        if self._window.hit(limit, *key):
            return 0
        reset = self._window.get_window_stats(limit, *key).reset_time
        return max(1, math.ceil(reset - time.time()))

    def _client(self, request: Request) -> str:
        return client_hash(self._key, request)

    def _hash(self, value: str) -> str:  # no address is kept in memory as it was typed
        return keyed_hash(self._key, value)
