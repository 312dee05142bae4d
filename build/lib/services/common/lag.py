"""Consumer lag: how many messages on each consumed topic this service's
consumer group has not yet committed, as the Prometheus gauge
`followthrough_consumer_lag`. Measured from outside the faust consumer, with
kafka-python, so a stuck consumer still shows its lag growing."""

from __future__ import annotations

import threading

import structlog
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from prometheus_client import Gauge

log = structlog.get_logger()

LAG = Gauge("followthrough_consumer_lag", "Messages on a consumed topic not yet committed by this service's group",
            ["service", "topic"])


def measure(admin: KafkaAdminClient, consumer: KafkaConsumer, group: str, topics: dict[str, str]) -> dict[str, int]:
    """Lag per topic for `group`; `topics` maps the real (prefixed) name to the label."""
    committed = {tp: om.offset for tp, om in admin.list_group_offsets(group).get(group, {}).items()}
    partitions = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]
    ends = consumer.end_offsets(partitions)
    # A partition the group never committed is read from its start (auto_offset_reset=earliest).
    starts = consumer.beginning_offsets([tp for tp in partitions if committed.get(tp, -1) < 0])
    lag = dict.fromkeys(topics.values(), 0)
    for tp in partitions:
        position = committed.get(tp, -1)
        if position < 0:
            position = starts[tp]
        lag[topics[tp.topic]] += max(ends[tp] - position, 0)
    return lag


class LagMonitor(threading.Thread):
    """Refreshes the gauge every `interval` seconds until stopped."""

    def __init__(self, bootstrap: str, group: str, topics: dict[str, str], service: str, interval: float = 5.0):
        super().__init__(name=f"lag-{service}", daemon=True)
        self.bootstrap, self.group, self.topics, self.service = bootstrap, group, topics, service
        self.interval = interval
        self._stopping = threading.Event()

    def run(self) -> None:
        admin = consumer = None
        while True:
            try:
                admin = admin or KafkaAdminClient(bootstrap_servers=self.bootstrap, client_id=f"lag-{self.service}")
                consumer = consumer or KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None,
                                                     enable_auto_commit=False)
                for topic, lag in measure(admin, consumer, self.group, self.topics).items():
                    LAG.labels(self.service, topic).set(lag)
            except Exception as exc:  # broker away: keep the last values, try again
                log.warning("lag.measure_failed", service=self.service, error=str(exc))
                admin, consumer = _close(admin), _close(consumer)
            if self._stopping.wait(self.interval):
                break
        _close(admin), _close(consumer)

    @classmethod
    def for_group(cls, faust_app, bootstrap: str, prefix: str, topics, service: str) -> "LagMonitor":
        """The monitor for a faust app's consumer group over `topics` (names without the prefix)."""
        return cls(bootstrap, faust_app.conf.id, {prefix + t: t for t in topics}, service)

    def stop(self) -> None:
        self._stopping.set()
        self.join(5)


def _close(client) -> None:
    if client is not None:
        try:
            client.close()
        except Exception:
            pass
    return None
