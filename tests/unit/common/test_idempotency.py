"""`Idempotency-Key`: scoped to the caller, bounded in length, forgotten after a day,
and never a second copy of a secret. On SQLite here; on PostgreSQL in
tests/integration/test_security.py."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import sqlalchemy as sa

from services.common.db import make_engine
from services.intake.adapters import idempotency
from services.intake.app import migrate
from services.intake.domain.idempotencykeys import KeyReused, KeyTooLong
from services.intake.web.errors import as_problem

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'intake.db'}")
    migrate(engine)
    return engine


def counter():
    n = itertools.count(1)
    return lambda session: (201, {"id": next(n), "code": "s3cret"})


def test_a_repeat_from_the_same_caller_gets_the_first_answer_without_its_secret(engine):
    work = counter()
    first = idempotency.run_once(engine, "k", "body", work, caller="tok1", now=NOW,
                                 shown_once={"code": "The code was shown once."})
    again = idempotency.run_once(engine, "k", "body", work, caller="tok1", now=NOW,
                                 shown_once={"code": "The code was shown once."})
    assert first == (201, {"id": 1, "code": "s3cret"})
    assert again == (201, {"id": 1, "note": "The code was shown once."})
    with engine.connect() as conn:
        assert "s3cret" not in str(conn.execute(sa.text("SELECT * FROM intake_idempotency_keys")).all())


def test_keys_are_per_caller(engine):
    work = counter()
    assert idempotency.run_once(engine, "k", "body", work, caller="tok1", now=NOW)[1]["id"] == 1
    assert idempotency.run_once(engine, "k", "other body", work, caller="tok2", now=NOW)[1]["id"] == 2
    with pytest.raises(KeyReused):
        idempotency.run_once(engine, "k", "other body", work, caller="tok1", now=NOW)


def test_a_key_is_forgotten_after_its_ttl(engine):
    work = counter()
    idempotency.run_once(engine, "k", "body", work, caller="t", now=NOW)
    idempotency.run_once(engine, "old", "body", work, caller="t", now=NOW)
    later = NOW + idempotency.TTL - dt.timedelta(seconds=1)
    assert idempotency.run_once(engine, "k", "body", work, caller="t", now=later)[1]["id"] == 1
    expired = NOW + idempotency.TTL + dt.timedelta(seconds=1)
    assert idempotency.run_once(engine, "k", "changed body", work, caller="t", now=expired)[1]["id"] == 3
    with engine.connect() as conn:
        keys = conn.execute(sa.text("SELECT key FROM intake_idempotency_keys")).scalars().all()
    assert len(keys) == 1  # "old" pruned


@pytest.mark.parametrize("key", ["x" * 201, "x" * 5000])
def test_an_over_long_key_is_a_422_naming_the_header(engine, key):
    with pytest.raises(KeyTooLong) as refused:
        idempotency.run_once(engine, key, "body", counter(), caller="t", now=NOW)
    problem = as_problem(refused.value)  # as the web edge answers it
    assert problem.status == 422 and problem.errors[0]["field"] == "Idempotency-Key"
    assert "Idempotency-Key" in refused.value.detail
    assert idempotency.run_once(engine, "x" * 200, "body", counter(), caller="t", now=NOW)[0] == 201


def test_no_key_no_memory(engine):
    work = counter()
    assert idempotency.run_once(engine, None, "b", work, caller="t", now=NOW)[1]["id"] == 1
    assert idempotency.run_once(engine, "", "b", work, caller="t", now=NOW)[1]["id"] == 2
