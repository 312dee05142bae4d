"""`Idempotency-Key`: the first answer is stored with the request's hash in the
same transaction as the work, so a repeat returns it and a concurrent repeat
waits on the key's unique index instead of doing the work twice.

A key belongs to its caller (the token's id is part of the stored key), so two
callers' equal keys neither collide nor read each other's answers. A key is
remembered for `TTL`; after that the same key is a new request, and rows past
their time are deleted now and then. A secret in the first answer (a panel's
access code) is never stored: a repeat gets the answer without it, and a note.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from typing import Callable

import structlog
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.intake.adapters.tables import idempotency_keys as keys
from services.intake.domain.idempotencykeys import TTL, check_key, reused

Work = Callable[[Session], tuple[int, dict]]
PRUNE_EVERY = dt.timedelta(minutes=10)
HEADER = "Idempotency-Key"
log = structlog.get_logger()


def run_once(engine: Engine, key: str | None, fingerprint: str, work: Work, *, caller: str, now: dt.datetime,
             shown_once: dict[str, str] | None = None) -> tuple[int, dict]:
    """Do `work` once per (caller, key) within `TTL`, in one transaction with the key's row.

    `shown_once` maps answer fields that must not be kept (secrets) to the note a repeat
    gets in their place."""
    if not key:
        with Session(engine) as s, s.begin():
            return work(s)
    check_key(key)
    scoped = f"{caller}:{key}"
    digest = hashlib.sha256(fingerprint.encode()).hexdigest()
    for _ in range(3):  # an expired row is deleted and the insert tried again
        try:
            with Session(engine) as s, s.begin():
                s.execute(keys.insert().values(key=scoped, request_sha256=digest, status_code=0, response={},
                                               created_at=now))
                status, body = work(s)
                s.execute(update(keys).where(keys.c.key == scoped)
                          .values(status_code=status, response=_kept(body, shown_once or {})))
            _prune_now_and_then(engine, now)
            return status, body
        except IntegrityError:
            with engine.connect() as conn:
                row = conn.execute(select(keys).where(keys.c.key == scoped)).first()
            if row is None:
                raise  # not the key's conflict: the work's own
            if _utc(row.created_at) <= now - TTL:
                with Session(engine) as s, s.begin():  # forget it, unless another request already has
                    s.execute(delete(keys).where(keys.c.key == scoped, keys.c.created_at == row.created_at))
                continue
            if row.request_sha256 != digest:
                raise reused() from None
            return row.status_code, row.response
    raise RuntimeError(f"Idempotency-Key {key!r} kept expiring while it was being replaced")


def _kept(body: dict, shown_once: dict[str, str]) -> dict:
    """What a repeat will get: the answer without its secrets, and a note saying so."""
    dropped = [field for field in shown_once if field in body]
    if not dropped:
        return body
    kept = {k: v for k, v in body.items() if k not in shown_once}
    kept["note"] = " ".join(shown_once[field] for field in dropped)
    return kept


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)


_pruned: dict[int, dt.datetime] = {}
_prune_lock = threading.Lock()


def _prune_now_and_then(engine: Engine, now: dt.datetime) -> None:
    """Delete keys past their TTL, at most every PRUNE_EVERY per process and engine; a failure
    here never fails the request that triggered it."""
    with _prune_lock:
        last = _pruned.get(id(engine))
        if last is not None and now - last < PRUNE_EVERY:
            return
        _pruned[id(engine)] = now
    try:
        with Session(engine) as s, s.begin():
            gone = s.execute(delete(keys).where(keys.c.created_at < now - TTL)).rowcount
        if gone:
            log.info("idempotency.pruned", keys=gone)
    except Exception as exc:  # noqa: BLE001 - housekeeping; the next request tries again
        log.warning("idempotency.prune_failed", error=type(exc).__name__)
        with _prune_lock:
            _pruned.pop(id(engine), None)

