"""Read what is on a topic, with a plain kafka-python consumer."""

from __future__ import annotations

import json
import time
from typing import Callable

from kafka import KafkaConsumer, TopicPartition


def read(bootstrap: str, topic: str, *, until: Callable[[list[dict]], bool] = lambda _: False,
         where: Callable[[dict], bool] = lambda _: True, timeout: float = 10.0) -> list[dict]:
    """Every JSON event on `topic` that `where` keeps, polling until `until` is true or timeout."""
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, group_id=None, consumer_timeout_ms=500)
    found: list[dict] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=300).values():
                for m in batch:
                    try:
                        doc = json.loads(m.value)
                    except ValueError:
                        continue
                    if isinstance(doc, dict) and where(doc):
                        found.append(doc)
            if until(found):
                break
    finally:
        consumer.close()
    return found


def produce(bootstrap: str, topic: str, key: bytes | None, value: bytes,
            headers: list[tuple[str, bytes]] | None = None) -> None:
    from kafka import KafkaProducer

    p = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    p.send(topic, key=key, value=value, headers=headers).get(timeout=10)
    p.close()


def read_all(bootstrap: str, topic: str) -> list:
    """Every message on `topic` up to its current end, as kafka-python records (headers included)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        end = consumer.end_offsets(parts)
        records: list = []
        while any(consumer.position(tp) < end[tp] for tp in parts):
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()
