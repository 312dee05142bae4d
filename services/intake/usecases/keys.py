"""The Idempotency-Key's limits, as the web states them before reading a request (the keys
themselves are kept by `adapters/idempotency.py`, in the work's own transaction)."""

from __future__ import annotations

from services.intake.adapters.idempotency import MAX_KEY_LENGTH, TTL, check_key

__all__ = ["MAX_KEY_LENGTH", "TTL", "check_key"]
