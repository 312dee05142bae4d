"""Create every topic of SPEC §3 with its partitions and cleanup policy.

Run as `python -m services.common.topics --bootstrap HOST:PORT`; idempotent."""

from __future__ import annotations

import argparse
import time

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from schemas.events import TOPICS


def ensure_topics(bootstrap: str, timeout_s: float = 60.0, prefix: str = "") -> list[str]:
    """Create the missing topics (named `prefix` + the SPEC name); return the names created."""
    admin = _connect(bootstrap, timeout_s)
    try:
        existing = set(admin.list_topics())
        missing = [
            NewTopic(
                prefix + t.name, t.partitions, 1,
                topic_configs={"cleanup.policy": "compact"} if t.compacted else {},
            )
            for t in TOPICS
            if prefix + t.name not in existing
        ]
        if missing:
            try:
                admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another replica won the race; fine
        return [t.name for t in missing]
    finally:
        admin.close()


def _connect(bootstrap: str, timeout_s: float) -> KafkaAdminClient:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return KafkaAdminClient(bootstrap_servers=bootstrap, client_id="followthrough-topics")
        except KafkaError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--prefix", default="")
    args = parser.parse_args()
    created = ensure_topics(args.bootstrap, prefix=args.prefix)
    print(f"topics: {len(TOPICS)} present" + (f", created {', '.join(created)}" if created else ""))


if __name__ == "__main__":
    main()
