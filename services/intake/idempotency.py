"""`Idempotency-Key`: the first answer is stored with the request's hash in the
same transaction as the work, so a repeat returns it and a concurrent repeat
waits on the key's unique index instead of doing the work twice."""

from __future__ import annotations

import hashlib
from typing import Callable

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.common.problems import Problem
from services.intake.store import idempotency_keys as keys

Work = Callable[[Session], tuple[int, dict]]


def run_once(engine: Engine, key: str | None, fingerprint: str, work: Work) -> tuple[int, dict]:
    if not key:
        with Session(engine) as s, s.begin():
            return work(s)
    digest = hashlib.sha256(fingerprint.encode()).hexdigest()
    try:
        with Session(engine) as s, s.begin():
            s.execute(keys.insert().values(key=key, request_sha256=digest, status_code=0, response={}))
            status, body = work(s)
            s.execute(update(keys).where(keys.c.key == key).values(status_code=status, response=body))
            return status, body
    except IntegrityError:
        with engine.connect() as conn:
            row = conn.execute(select(keys).where(keys.c.key == key)).first()
        if row is None:
            raise
        if row.request_sha256 != digest:
            raise Problem(409, "Idempotency-Key reused",
                          "This Idempotency-Key was used with a different body; use a new key for a new request.")
        return row.status_code, row.response
