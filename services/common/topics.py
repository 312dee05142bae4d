"""Create every topic of contract §3 with its partitions and cleanup policy.

Replicas (contract §6): the cluster's own `default.replication.factor` and
`min.insync.replicas`, unless a replication factor is given (a service passes its
KAFKA_REPLICATION_FACTOR setting); then that many replicas, of which 2 must be in sync
for a write (1 when there are fewer than 3).

Run as `python -m services.common.topics --bootstrap HOST:PORT`; idempotent."""

from __future__ import annotations

import argparse
import time

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, RetriableError, TopicAlreadyExistsError, UnknownBrokerIdError

from schemas.events import TOPICS
from services.common.settings import CommonSettings

CLUSTER_DEFAULT = -1  # CreateTopics: use the broker's default.replication.factor


def topic_replication(replication_factor: int | None) -> tuple[int, dict[str, str]]:
    """The replication factor to ask for and the topic configs that go with it."""
    if replication_factor is None:
        return CLUSTER_DEFAULT, {}
    return replication_factor, {"min.insync.replicas": "2" if replication_factor >= 3 else "1"}


def ensure_topics(bootstrap: str, timeout_s: float = 60.0, prefix: str = "",
                  replication_factor: int | None = None, ask_again: bool = True) -> list[str]:
    """Create the missing topics (named `prefix` + the contract's name); return the names created.
    `replication_factor` None: the cluster's default."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return _create_missing(bootstrap, timeout_s, prefix, replication_factor)
        except (RetriableError, UnknownBrokerIdError):
            # A cluster just started may not yet know its controller's address: ask again (at a
            # service's start; the outbox relay, which has its own loop, asks once: ask_again=False).
            if not ask_again or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _create_missing(bootstrap: str, timeout_s: float, prefix: str, replication_factor: int | None) -> list[str]:
    factor, replica_configs = topic_replication(replication_factor)
    admin = _connect(bootstrap, timeout_s)
    try:
        existing = set(admin.list_topics())
        missing = [
            NewTopic(
                prefix + t.name, t.partitions, factor,
                topic_configs={**replica_configs, **({"cleanup.policy": "compact"} if t.compacted else {})},
            )
            for t in TOPICS
            if prefix + t.name not in existing
        ]
        if missing:
            try:
                admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another replica (or our own earlier try) won the race; fine
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
    parser.add_argument("--replication-factor", type=int, default=None,
                        help="replicas per topic (default: KAFKA_REPLICATION_FACTOR, else the cluster's default)")
    args = parser.parse_args()
    factor = args.replication_factor or CommonSettings().kafka_replication_factor  # the command's settings
    created = ensure_topics(args.bootstrap, prefix=args.prefix, replication_factor=factor)
    print(f"topics: {len(TOPICS)} present" + (f", created {', '.join(created)}" if created else ""))


if __name__ == "__main__":
    main()
