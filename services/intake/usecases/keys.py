"""The Idempotency-Key's limits, as the web states them before reading a request (the rules are
`domain/idempotencykeys.py`; the keys are kept by `adapters/idempotency.py`, in the work's own
transaction)."""

from __future__ import annotations

from services.intake.domain.idempotencykeys import MAX_KEY_LENGTH, TTL, check_key

__all__ = ["MAX_KEY_LENGTH", "TTL", "check_key"]
