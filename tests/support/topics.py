"""Read what is on a topic, with a plain kafka-python consumer."""

from __future__ import annotations

import json
import time
from typing import Callable

from kafka import KafkaConsumer


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


def produce(bootstrap: str, topic: str, key: bytes, value: bytes) -> None:
    from kafka import KafkaProducer

    p = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    p.send(topic, key=key, value=value).get(timeout=10)
    p.close()
