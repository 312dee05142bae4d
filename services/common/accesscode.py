"""A youth panel's access code: made by intake, checked by the tracker.

A young person types it on a phone, so a new code is short: ten characters of Crockford's base32
(digits and capitals without I, L, O and U), shown in two groups, `7KQ2M-XH4PD`. That is 50
random bits. Typed, case, spaces and hyphens do not count, and I, L and O are read as the 1, 1 and
0 they look like. Short is safe because the tracker lets each client try only a few wrong codes
(`usecases/access.py`); docs/youth-workers.md writes down the bits and the lockout arithmetic.

Only a verifier of the code is kept anywhere, and it travels to the tracker in `panel.registered` /
`panel.updated` (`access_code_hash`), so the two services share no table. Other services read that
topic, and 50 bits under a fast hash would be guessed offline in hours, so the verifier is scrypt:
salted, 16 MiB and tens of milliseconds a guess, as a PHC string that names its own parameters
(a stronger setting later still reads the hashes made before it).

Codes made before (24 case-sensitive characters, 144 random bits) are kept as their unsalted
SHA-256, which no one can reverse for that much entropy. They keep matching exactly as they did
(only spaces around them ignored) until the panel's code is rotated.

Codes made before the digest moved onto the panel's events have another shape,
`<16 hex id>-<secret>`, and only their secret's SHA-256 was kept (a row of the
shared token table). Intake's migration carries that digest to the panel's
events as it is, so such a code is matched on its secret: panels keep the code
they were given. The secret has 96 random bits; the id only found the row."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
GROUP = 5
BITS = LENGTH * 5  # 32 symbols: 5 bits a character
LOG2_N, R, P = 14, 8, 1  # scrypt: 2**14 * 128 * 8 bytes = 16 MiB, tens of milliseconds a check
SALT_BYTES, KEY_BYTES = 16, 32
MAXMEM = 64 * 1024 * 1024  # a kept hash asking for more is refused, not run
MAX_STORED = 200  # the verifier column's width
PREFIX = "$scrypt$"

_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
_IGNORED = re.compile(r"[\s\-]+")
_PHC = re.compile(r"\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d)\$([A-Za-z0-9+/]{16,64})\$([A-Za-z0-9+/]{16,86})")


def new() -> tuple[str, str]:
    """(the code, shown once, grouped; its verifier, kept and published)."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return shown(code), protect(code)


def normalise(typed: str) -> str:
    """A new-style code as typed, reduced to what counts: `abcde fghjk` and `ABCDE-FGHJK` are one code."""
    return _IGNORED.sub("", typed).upper().translate(_READ_AS)


def shown(code: str) -> str:
    """The code as people read it: groups of five joined by hyphens."""
    plain = normalise(code)
    return "-".join(plain[i:i + GROUP] for i in range(0, len(plain), GROUP))


def protect(code: str) -> str:
    """The verifier of a new-style code: scrypt of its normalised form, as a PHC string."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = hashlib.scrypt(normalise(code).encode(), salt=salt, n=2 ** LOG2_N, r=R, p=P, maxmem=MAXMEM, dklen=KEY_BYTES)
    return f"{PREFIX}ln={LOG2_N},r={R},p={P}${_b64(salt)}${_b64(key)}"


def digest(code: str) -> str:
    """The verifier of a code made before codes were short: its SHA-256 (hex)."""
    return hashlib.sha256(code.strip().encode()).hexdigest()


_BEFORE_THE_DIGEST_MOVED = re.compile(r"[0-9a-f]{16}-([A-Za-z0-9_-]{16})")


def matches(typed: str, kept: str | None) -> bool:
    """Whether `typed` is the code `kept` verifies: a scrypt PHC string, or an old code's SHA-256."""
    if not kept:
        return False
    if kept.startswith(PREFIX):
        return _matches_scrypt(normalise(typed), kept)
    typed = typed.strip()
    old = _BEFORE_THE_DIGEST_MOVED.fullmatch(typed)
    return hmac.compare_digest(digest(old.group(1) if old else typed), kept)


def _matches_scrypt(code: str, kept: str) -> bool:
    found = _PHC.fullmatch(kept)
    if found is None or len(code) != LENGTH or not set(code) <= set(ALPHABET):
        return False  # not a code at all: no need to spend a check on it
    log2_n, r, p = (int(g) for g in found.groups()[:3])
    salt, key = _unb64(found[4]), _unb64(found[5])
    try:
        tried = hashlib.scrypt(code.encode(), salt=salt, n=2 ** log2_n, r=r, p=p, maxmem=MAXMEM, dklen=len(key))
    except ValueError:  # parameters beyond MAXMEM or out of range: nothing we made
        return False
    return hmac.compare_digest(tried, key)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))
