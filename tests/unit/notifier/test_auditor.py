"""`followthrough_stuck_deliveries`: sending past the lease, or still being tried past
the point where the sender should have given up (plus one backoff and one lease)."""

from __future__ import annotations

import datetime as dt

from prometheus_client import REGISTRY
from sqlalchemy import update

from services.notifier import ledger
from services.notifier.auditor import DeliveryAuditor
from services.notifier.store import deliveries
from tests.unit.notifier.conftest import make_notice

LEASE = dt.timedelta(seconds=60)
MAX_BACKOFF = 600.0


def set_row(engine, recipient: str, **values) -> None:
    with engine.begin() as conn:
        conn.execute(update(deliveries).where(deliveries.c.recipient == recipient).values(**values))


def test_stuck_deliveries_are_counted_and_nothing_else(engine, clock):
    now = clock.now()
    names = ["abandoned", "in-flight", "failing-past-step", "failing-before-step", "waiting-past-step",
             "failing-past-hours", "sent-long-ago", "digest-failing-past-step"]
    step_passed = now - LEASE - dt.timedelta(seconds=MAX_BACKOFF + 1)
    ledger.record_notices(engine, [make_notice(name, recipients=[f"{name}@example.org"], give_up_after=step_passed)
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
        set_row(engine, f"{name}@example.org", **values)
    auditor = DeliveryAuditor(engine, clock, lease=LEASE, give_up_hours=dt.timedelta(hours=24),
                              max_backoff=MAX_BACKOFF)
    assert auditor.run() == 4  # abandoned, failing-past-step, failing-past-hours, digest-failing-past-step
    assert REGISTRY.get_sample_value("followthrough_stuck_deliveries") == 4


def test_a_delivery_given_up_on_time_is_not_stuck(engine, clock):
    ledger.record_notices(engine, [make_notice(recipients=["owner@example.org"],
                                               give_up_after=clock.now() - dt.timedelta(seconds=30))], clock.now())
    set_row(engine, "owner@example.org", state="pending", attempts=2)
    auditor = DeliveryAuditor(engine, clock, lease=LEASE, give_up_hours=dt.timedelta(hours=24),
                              max_backoff=MAX_BACKOFF)
    assert auditor.run() == 0  # the sender has a backoff and a lease to act on it
    clock.advance(LEASE + dt.timedelta(seconds=MAX_BACKOFF))
    assert auditor.run() == 1
