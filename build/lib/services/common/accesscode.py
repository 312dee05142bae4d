"""A youth panel's access code: made by intake, checked by the tracker.

Only the code's SHA-256 is kept anywhere, and it travels to the tracker in
`panel.registered` / `panel.updated`, so the two services share no table.
That is safe because the code carries 144 random bits: a hash of so much
entropy cannot be turned back into the code by guessing."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new() -> tuple[str, str]:
    """(the code, shown once; its digest, kept and published)."""
    code = secrets.token_urlsafe(18)
    return code, digest(code)


def digest(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def matches(code: str, expected_digest: str | None) -> bool:
    return bool(expected_digest) and hmac.compare_digest(digest(code), expected_digest)
