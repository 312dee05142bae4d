"""Signed, expiring tokens (links, forms) whose age is read from the service's clock."""

from __future__ import annotations

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from services.common.clock import Clock


def timed_serializer(secret_key: str, salt: str, clock: Clock) -> URLSafeTimedSerializer:
    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock.now().timestamp())

    return URLSafeTimedSerializer(secret_key, salt=salt, signer=ClockSigner)
