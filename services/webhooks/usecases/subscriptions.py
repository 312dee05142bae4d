"""Subscriptions, for an admin (docs/contract.md §8.3): create (the key shown once), list, read,
delete, rotate the key, read the attempts, replay a time range. The API and the CLI both come here."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from services.common.clock import SYSTEM, Clock
from services.webhooks.domain.signing import SCHEMES, NewKey, new_key
from services.webhooks.domain.targets import Refused, check_addresses, check_url
from services.webhooks.usecases.public import ALL, PUBLIC_TYPES

MAX_TYPES = 100
LOCAL_NAMES = ("localhost", "localhost.localdomain")


class BadField(ValueError):
    """A request field that cannot be used: `field`, what is wrong and the fix."""

    def __init__(self, field: str, message: str, fix: str) -> None:
        super().__init__(f"{field}: {message}. {fix}")
        self.field, self.message, self.fix = field, message, fix


@dataclass(frozen=True)
class Shown:
    """A subscription with its new key, shown this once."""
    sub: Any
    key: NewKey


def check_types(types: Sequence[str]) -> list[str]:
    """The event types asked for, in order without repeats; `["*"]` is every public type."""
    if not types:
        raise BadField("types", "is empty", 'Give the event types to receive, or ["*"] for all of them')
    if len(types) > MAX_TYPES:
        raise BadField("types", f"has {len(types)} entries", f"Give at most {MAX_TYPES}, or [\"*\"] for all")
    unknown = [t for t in types if t != ALL and t not in PUBLIC_TYPES]
    if unknown:
        raise BadField("types", f"{', '.join(repr(t) for t in unknown[:5])} is not a public event type",
                       f'Use "*" or types of docs/contract.md §3 such as {", ".join(sorted(PUBLIC_TYPES)[:3])} '
                       "(notices, deliveries and the DLQ are never sent)")
    return [ALL] if ALL in types else list(dict.fromkeys(types))


def check_target(url: str, *, allow_private: bool) -> None:
    """The URL's form, and an address written in it: a private one is refused here at once. A name is
    resolved and checked at every attempt (the sender), since its answer can change."""
    try:
        check_url(url)
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
        if host in LOCAL_NAMES:
            check_addresses(host, ["127.0.0.1"], allow_private=allow_private)
        elif _is_address(host):
            check_addresses(host, [host], allow_private=allow_private)
    except Refused as exc:
        message = str(exc).removeprefix("url: ")
        raise BadField("url", message, "Give the receiver's public http(s) URL") from None


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def check_scheme(scheme: str) -> str:
    if scheme not in SCHEMES:
        raise BadField("signature", f"{scheme!r} is not a signature scheme",
                       'Use "v1" (HMAC-SHA256, a shared secret) or "v1a" (ed25519, a public key)')
    return scheme


class Subscriptions:
    def __init__(self, store, clock: Clock = SYSTEM, *, allow_private: bool = False,
                 overlap: dt.timedelta = dt.timedelta(hours=24), wake: Callable[[], None] = lambda: None) -> None:
        self.store, self.clock, self.allow_private, self.overlap, self.wake = (
            store, clock, allow_private, overlap, wake)

    def create(self, url: str, types: Sequence[str], scheme: str = "v1", owner_email: str | None = None) -> Shown:
        url = url.strip() if isinstance(url, str) else url
        check_target(url, allow_private=self.allow_private)
        wanted, scheme = check_types(types), check_scheme(scheme)
        key = new_key(scheme)  # type: ignore[arg-type]
        sub = self.store.create(url, wanted, scheme, owner_email, key, self.clock.now())
        self.wake()  # its handshake is due now
        return Shown(sub, key)

    def list(self) -> list:
        return self.store.list()

    def get(self, sub_id: str):
        return self.store.get(sub_id)

    def delete(self, sub_id: str) -> bool:
        return self.store.delete(sub_id, self.clock.now())

    def rotate(self, sub_id: str) -> Shown | None:
        """A new key of the same scheme; the old one signs beside it for the overlap. None: no such subscription."""
        sub = self.store.get(sub_id)
        if sub is None:
            return None
        key = new_key(sub.scheme)
        rotated = self.store.rotate(sub_id, key, self.overlap, self.clock.now())
        return Shown(rotated, key) if rotated else None

    def attempts(self, sub_id: str, limit: int = 100, before_id: int | None = None) -> list | None:
        if self.store.get(sub_id) is None:
            return None
        return self.store.attempts(sub_id, limit=limit, before_id=before_id)

    def replay(self, sub_id: str, start: dt.datetime, end: dt.datetime) -> int | None:
        """Every stored event of a wanted type with its time in [start, end) is sent again; None: no such
        subscription."""
        for name, value in (("from", start), ("to", end)):
            if value.tzinfo is None:
                raise BadField(name, "has no time zone", "Write the offset, like 2026-05-01T00:00:00Z")
        if end <= start:
            raise BadField("to", "is not after `from`", "Give a time range whose end comes after its start")
        if self.store.get(sub_id) is None:
            return None
        count = self.store.replay(sub_id, start, end, self.clock.now())
        if count:
            self.wake()
        return count


def view(sub) -> dict:
    """What anyone with the admin token may read of a subscription: never a key."""
    out = {"id": sub.id, "url": sub.url, "types": list(sub.types), "signature": sub.scheme, "state": sub.state,
           "owner_email": sub.owner_email, "created_at": _iso(sub.created_at),
           "rate_per_minute": sub.rate_per_minute}
    if sub.state == "disabled":
        out.update(disabled_reason=sub.disabled_reason, disabled_at=_iso(sub.disabled_at))
    if sub.previous_until is not None:
        out["previous_key_signs_until"] = _iso(sub.previous_until)
    return out


def shown(made: Shown) -> dict:
    """The subscription with its key, this once: the secret for v1, the public key for v1a."""
    name = "secret" if made.key.scheme == "v1" else "public_key"
    return {**view(made.sub), name: made.key.shown}


def attempt_view(a) -> dict:
    return {"id": a.id, "at": _iso(a.at), "event_id": a.event_id, "status": a.status, "result": a.result,
            "reason": a.reason, "duration_ms": a.duration_ms}


def _iso(at: dt.datetime | None) -> str | None:
    return at.isoformat() if at is not None else None
