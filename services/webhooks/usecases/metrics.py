"""The webhooks metrics (docs/contract.md §8.3; alerts in deploy/README.md).

Deliveries are counted as they happen; the backlog and the disabled count are read from the store
when Prometheus scrapes, so every replica reports the same truth and nothing goes stale."""

from __future__ import annotations

from typing import Protocol

import structlog
from prometheus_client import REGISTRY, Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from services.common.clock import Clock

log = structlog.get_logger()

DELIVERIES = Counter("followthrough_webhook_deliveries", "Webhook delivery attempts by result "
                     "(delivered, retry, gone, refused)", ["result"])
for _result in ("delivered", "retry", "gone", "refused"):
    DELIVERIES.labels(_result)  # every series exists from the start: a rate of 0 is not "no data"


class Backlog(Protocol):
    def oldest_undelivered(self, now) -> dict[str, float]: ...
    def disabled_count(self) -> int: ...


class StoreGauges(Collector):
    """`followthrough_webhook_oldest_undelivered_seconds{subscription}` and
    `followthrough_webhook_subscriptions_disabled`, asked of the store at scrape time."""

    def __init__(self) -> None:
        self.store: Backlog | None = None
        self.clock: Clock | None = None

    def watch(self, store: Backlog, clock: Clock) -> None:
        self.store, self.clock = store, clock

    def collect(self):
        oldest = GaugeMetricFamily("followthrough_webhook_oldest_undelivered_seconds",
                                   "Age of the oldest event a subscription still waits for", labels=["subscription"])
        disabled = GaugeMetricFamily("followthrough_webhook_subscriptions_disabled",
                                     "Subscriptions disabled (410 Gone, or the retry schedule spent)")
        if self.store is not None and self.clock is not None:
            try:
                for sub_id, seconds in sorted(self.store.oldest_undelivered(self.clock.now()).items()):
                    oldest.add_metric([sub_id], seconds)
                disabled.add_metric([], self.store.disabled_count())
            except Exception as exc:  # noqa: BLE001 - a scrape must answer even with the database away
                log.warning("webhooks.metrics_unavailable", error=type(exc).__name__)
        yield oldest
        yield disabled


GAUGES = StoreGauges()
REGISTRY.register(GAUGES)  # once per process; each app built points it at its store (`watch`)


def count(result: str) -> None:
    DELIVERIES.labels(result).inc()
