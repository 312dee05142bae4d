"""`followthrough_stuck_deliveries`: sending past the lease, or still being tried past
the point where the sender should have given up (plus one backoff and one lease).

The rule is counted by the use case over either ledger; the SQL ledger asks it as one
query, and a property test shows that query and the pure rule agree on any row."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client import REGISTRY
from sqlalchemy import delete, insert, update
from sqlalchemy.pool import StaticPool

from services.common.clock import SimulatedClock
from services.common.db import make_engine
from services.notifier.adapters import tables
from services.notifier.adapters.sql_ledger import SqlLedger, stuck_deliveries
from services.notifier.adapters.tables import deliveries
from services.notifier.domain.stuck import StuckRule
from services.notifier.usecases.audit_deliveries import DeliveryAuditor
from tests.unit.notifier.conftest import make_notice
from tests.unit.notifier.fakes import InMemoryLedger

LEASE = dt.timedelta(seconds=60)
MAX_BACKOFF = 600.0
RULE = StuckRule(lease=LEASE, give_up_hours=dt.timedelta(hours=24), max_backoff=MAX_BACKOFF)


@pytest.fixture(params=["sql", "memory"])
def ledger(request):
    if request.param == "memory":
        return InMemoryLedger()
    return SqlLedger(request.getfixturevalue("engine"))


def set_row(ledger, recipient: str, **values) -> None:
    if isinstance(ledger, InMemoryLedger):
        row = ledger.row(recipient)
        for name, value in values.items():
            setattr(row, name, value)
        return
    with ledger.engine.begin() as conn:
        conn.execute(update(deliveries).where(deliveries.c.recipient == recipient).values(**values))


def auditor(ledger, clock) -> DeliveryAuditor:
    return DeliveryAuditor(ledger, clock, lease=LEASE, give_up_hours=dt.timedelta(hours=24), max_backoff=MAX_BACKOFF)


def test_stuck_deliveries_are_counted_and_nothing_else(ledger, clock):
    now = clock.now()
    names = ["abandoned", "in-flight", "failing-past-step", "failing-before-step", "waiting-past-step",
             "failing-past-hours", "sent-long-ago", "digest-failing-past-step"]
    step_passed = now - LEASE - dt.timedelta(seconds=MAX_BACKOFF + 1)
    ledger.record_notices([make_notice(name, recipients=[f"{name}@example.org"], give_up_after=step_passed)
                           for name in names], now)
    rows = {
        "abandoned": dict(state="sending", attempts=1, claimed_at=now - LEASE - dt.timedelta(seconds=1),
                          give_up_after=None),
        "in-flight": dict(state="sending", attempts=1, claimed_at=now - dt.timedelta(seconds=5), give_up_after=None),
        "failing-past-step": dict(state="pending", attempts=3),
        "failing-before-step": dict(state="pending", attempts=3, give_up_after=now + dt.timedelta(hours=1)),
        "waiting-past-step": dict(state="pending", attempts=0),  # never tried yet: not failing
        "failing-past-hours": dict(state="pending", attempts=2, give_up_after=None,
                                   created_at=now - dt.timedelta(hours=25)),
        "sent-long-ago": dict(state="sent", attempts=1, created_at=now - dt.timedelta(days=3)),
        "digest-failing-past-step": dict(state="digest", attempts=1),
    }
    for name, values in rows.items():
        set_row(ledger, f"{name}@example.org", **values)
    assert auditor(ledger, clock).run() == 4  # abandoned, failing-past-step, failing-past-hours, digest-failing-...
    assert REGISTRY.get_sample_value("followthrough_stuck_deliveries") == 4


def test_a_delivery_given_up_on_time_is_not_stuck(ledger, clock):
    ledger.record_notices([make_notice(recipients=["owner@example.org"],
                                       give_up_after=clock.now() - dt.timedelta(seconds=30))], clock.now())
    set_row(ledger, "owner@example.org", state="pending", attempts=2)
    audit = auditor(ledger, clock)
    assert audit.run() == 0  # the sender has a backoff and a lease to act on it
    clock.advance(LEASE + dt.timedelta(seconds=MAX_BACKOFF))
    assert audit.run() == 1
    assert REGISTRY.get_sample_value("followthrough_delivery_audit_last_success_timestamp_seconds") \
        == clock.now().timestamp()


NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone.utc)
# The rule's edges (a lease ago, a grace ago, a grace and the give-up hours ago), a second
# either side, and a few points well away from them: few values, so edges come up often.
EDGES = [NOW - RULE.lease, NOW - RULE.grace, NOW - RULE.grace - RULE.give_up_hours]
AWAY = [NOW + dt.timedelta(hours=1), NOW, NOW - dt.timedelta(days=2), NOW - dt.timedelta(days=3)]
offsets = st.sampled_from([at + dt.timedelta(seconds=s) for at in EDGES for s in (-1, 0, 1)] + AWAY)

@pytest.fixture(scope="module")
def memory_engine():
    """One SQLite database in memory for the property's hundreds of rows: no file to sync."""
    engine = make_engine("sqlite://", poolclass=StaticPool)
    tables.metadata.create_all(engine)
    yield engine
    engine.dispose()


rows = st.fixed_dictionaries(dict(
    state=st.sampled_from(["pending", "sending", "digest", "sent", "failed"]),
    attempts=st.integers(min_value=0, max_value=5), claimed_at=st.none() | offsets,
    give_up_after=st.none() | offsets, created_at=offsets))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(rows, min_size=1, max_size=25))
def test_the_sql_query_and_the_pure_rule_agree(memory_engine, batch):
    with memory_engine.begin() as conn:
        conn.execute(delete(deliveries))
        conn.execute(insert(deliveries), [dict(notice_id="n", recipient=f"{i}@example.org", resends=0,
                                               next_attempt_at=NOW, message_id="<m>", **row)
                                          for i, row in enumerate(batch)])
    count, _ = stuck_deliveries(memory_engine, NOW, RULE)
    assert count == sum(RULE.is_stuck(NOW, **row) for row in batch)


def test_the_rule_on_its_edges():
    clock = SimulatedClock(NOW)
    now = clock.now()
    base = dict(attempts=1, claimed_at=None, give_up_after=None, created_at=now)
    assert not RULE.is_stuck(now, state="sending", **{**base, "claimed_at": now - LEASE})
    assert RULE.is_stuck(now, state="sending", **{**base, "claimed_at": now - LEASE - dt.timedelta(seconds=1)})
    latest = now - LEASE - dt.timedelta(seconds=MAX_BACKOFF)
    assert not RULE.is_stuck(now, state="pending", **{**base, "give_up_after": latest})
    assert RULE.is_stuck(now, state="pending", **{**base, "give_up_after": latest - dt.timedelta(seconds=1)})
    assert not RULE.is_stuck(now, state="failed", **{**base, "give_up_after": latest - dt.timedelta(days=1)})
