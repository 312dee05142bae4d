"""The three-node Kafka cluster of deploy/local/kafka-cluster.sh, for the cluster fault
scenarios: start and stop it, kill -9 a node and bring it back, name the quorum's leader,
and read replication and consumer lag through the admin API."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass

from kafka import KafkaAdminClient, KafkaConsumer

from services.common.lag import measure
from tests.support.stack import REPO, RUN_DIR

PORT = int(os.environ.get("FT_TEST_CLUSTER_PORT", "19101"))  # nodes on PORT..PORT+2, quorum on PORT+10..12


def _env() -> dict[str, str]:
    return {**os.environ, "KAFKA_CLUSTER_PORT": str(PORT), "FOLLOWTHROUGH_RUN_DIR": RUN_DIR,
            "FOLLOWTHROUGH_PYTHON": sys.executable}


def script(*args: str) -> str:
    out = subprocess.run([str(REPO / "deploy" / "local" / "kafka-cluster.sh"), *args], env=_env(), check=True,
                         capture_output=True, text=True)
    return out.stdout


@dataclass
class Cluster:
    bootstrap: str

    def kill(self, node: int) -> None:
        script("kill", str(node))

    def restart(self, node: int) -> None:
        script("restart", str(node))

    def leader(self) -> int:
        """The node id of the controller quorum's leader (waits for one to be elected)."""
        return int(script("leader").strip())

    def fully_replicated(self, topics: list[str]) -> bool:
        """Every partition of `topics` has all three replicas in sync."""
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, client_id="ft-test-isr")
        try:
            return all(len(p["isr_nodes"]) == len(p["replica_nodes"]) == 3
                       for t in admin.describe_topics(topics) for p in t["partitions"])
        finally:
            admin.close()

    def lag(self, groups: dict[str, list[str]]) -> int:
        """Total uncommitted messages of each consumer group over its topics."""
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, client_id="ft-test-lag")
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False)
        try:
            return sum(sum(measure(admin, consumer, g, {t: t for t in topics}).values())
                       for g, topics in groups.items())
        finally:
            consumer.close()
            admin.close()


def start() -> Cluster:
    script("start")
    return Cluster(bootstrap=script("bootstrap").strip())


def stop() -> None:
    script("stop")


def wait(check, timeout: float, every: float = 0.5) -> float | None:
    """Poll `check` until true; the seconds it took, or None at timeout. Errors count as false."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            if check():
                return time.monotonic() - t0
        except Exception:
            pass
        time.sleep(every)
    return None
