"""A youth panel's access code: made by intake, checked by the tracker.

Only the code's SHA-256 is kept anywhere, and it travels to the tracker in
`panel.registered` / `panel.updated`, so the two services share no table.
That is safe because the code carries 144 random bits: a hash of so much
entropy cannot be turned back into the code by guessing.

Codes made before the digest moved onto the panel's events have another shape,
`<16 hex id>-<secret>`, and only their secret's SHA-256 was kept (a row of the
shared token table). Intake's migration carries that digest to the panel's
events as it is, so such a code is matched on its secret: panels keep the code
they were given. The secret has 96 random bits; the id only found the row."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets


def new() -> tuple[str, str]:
    """(the code, shown once; its digest, kept and published)."""
    code = secrets.token_urlsafe(18)
    return code, digest(code)


def digest(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


_BEFORE_THE_DIGEST_MOVED = re.compile(r"[0-9a-f]{16}-([A-Za-z0-9_-]{16})")


def matches(code: str, expected_digest: str | None) -> bool:
    if not expected_digest:
        return False
    code = code.strip()
    old = _BEFORE_THE_DIGEST_MOVED.fullmatch(code)
    return hmac.compare_digest(digest(old.group(1) if old else code), expected_digest)
