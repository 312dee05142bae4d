"""The cluster scenarios: FT_FAULT_N recommendations (500 in `make test`, 2,000 in `make soak`)
through all three services against a three-node Kafka cluster (replication factor 3,
min.insync.replicas 2, acks=all, idempotent producers, unclean leader election off).
In the middle of the load one node dies with kill -9 and comes back:

- broker_kill: a node chosen at random;
- quorum_leader_stop: the controller quorum's leader (a new leader must be elected).

After each: every recommendation is a commitment, every notice the ladder requires exists
exactly once (in the database and on the topic), every (notice, recipient) email arrived
exactly once (no service crashed, so no resend is allowed), and the consumer groups' lag
is 0. Prints lost, duplicates and the time to recover, from the node being back to
everything delivered with lag 0. FT_CLUSTER_SCENARIOS picks the scenarios (default:
broker_kill; `make soak` runs both)."""

from __future__ import annotations

import collections
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import sqlalchemy as sa

from services.common.clock import london_today
from services.common.db import make_engine
from services.common.outbox import make_producer
from services.common.topics import ensure_topics
from services.notifier.entrypoints.agents import CONSUMED as NOTIFIER_CONSUMED
from services.tracker.entrypoints.agents import CONSUMED as TRACKER_CONSUMED
from tests.faults.test_faults import N, _expected_keys, _recommendations
from tests.support import cluster as cluster_mod
from tests.support.api import issue_token, panel_body
from tests.support.topics import read

ALL = ["broker_kill", "quorum_leader_stop"]
SCENARIOS = os.environ.get("FT_CLUSTER_SCENARIOS", "broker_kill").split(",")
DOWN_S = 10.0  # how long the node stays dead while the load goes on
SUMMARY: list[str] = []


@pytest.fixture(scope="module")
def cluster():
    c = cluster_mod.start()
    yield c
    if not os.environ.get("FT_KEEP_STACK"):
        cluster_mod.stop()


def _replication(bootstrap: str, topic: str) -> tuple[set[int], str]:
    """The replica counts of `topic`'s partitions and its min.insync.replicas."""
    from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="ft-test-topics")
    try:
        partitions = admin.describe_topics([topic])[0]["partitions"]
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic, None)], config_filter="all")
    finally:
        admin.close()
    return {len(p["replica_nodes"]) for p in partitions}, configs["topic"][topic]["min.insync.replicas"]["value"]


def test_topics_take_the_clusters_replication_unless_one_is_set(cluster, uid):
    ensure_topics(cluster.bootstrap, prefix=f"d{uid}.")
    ensure_topics(cluster.bootstrap, prefix=f"e{uid}.", replication_factor=2)  # KAFKA_REPLICATION_FACTOR=2
    seen = {}

    def settled() -> bool:  # a new topic's metadata reaches every broker within moments
        seen["default"] = _replication(cluster.bootstrap, f"d{uid}.followthrough.notices")
        seen["set"] = _replication(cluster.bootstrap, f"e{uid}.followthrough.notices")
        return seen == {"default": ({3}, "2"), "set": ({2}, "1")}
    assert cluster_mod.wait(settled, timeout=30) is not None, seen


def test_the_outbox_producer_waits_for_every_in_sync_replica_and_is_idempotent(cluster, uid):
    producer = make_producer(cluster.bootstrap, prefix=f"p{uid}.")
    try:
        assert producer.config["acks"] in ("all", -1) and producer.config["enable_idempotence"] is True
        # acknowledged once the partition's leader and its in-sync followers have it
        sent = cluster_mod.wait(lambda: producer.send(f"p{uid}.followthrough.dlq", key=b"k", value=b"{}").get(10),
                                timeout=60)
        assert sent is not None
    finally:
        producer.close()


class NodeFault(threading.Thread):
    """Once a quarter of the recommendations are in, kill -9 one node; bring it back DOWN_S later."""

    def __init__(self, scenario: str, cluster, posted: list[int], rng: random.Random):
        super().__init__(daemon=True)
        self.scenario, self.cluster, self.posted, self.rng = scenario, cluster, posted, rng
        self.victim = self.new_leader = None
        self.back_at: float | None = None
        self.posted_at_kill = self.posted_at_back = 0
        self.topics: list[str] = []  # set by the test: the topics whose replicas must catch up
        self.isr_s: float | None = None
        self.error: Exception | None = None

    def run(self):
        try:
            while self.posted[0] < N // 4:
                time.sleep(0.05)
            self.victim = self.cluster.leader() if self.scenario == "quorum_leader_stop" else self.rng.randint(1, 3)
            self.cluster.kill(self.victim)
            self.posted_at_kill = self.posted[0]
            if self.scenario == "quorum_leader_stop":
                self.new_leader = self.cluster.leader()  # the two survivors elect one
            time.sleep(DOWN_S)
            self.cluster.restart(self.victim)
            self.back_at = time.monotonic()
            self.posted_at_back = self.posted[0]
            self.isr_s = cluster_mod.wait(lambda: self.cluster.fully_replicated(self.topics), timeout=120)
        except Exception as exc:  # the test must not pass on a fault that was not injected as meant
            self.error = exc


def _post_all(intake_url: str, bodies: list[dict], token: str, posted: list[int]) -> list[dict]:
    """Like a careful client: retry each POST with its Idempotency-Key until it is answered."""
    lock = threading.Lock()

    def post(i_body):
        i, body = i_body
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"rec-{i}"}
        for _ in range(600):
            try:
                r = httpx.post(f"{intake_url}/api/v1/recommendations", json=body, headers=headers, timeout=10)
                if r.status_code == 201:
                    with lock:
                        posted[0] += 1
                    return r.json()
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"recommendation {i} was never accepted")
    with ThreadPoolExecutor(16) as pool:
        return list(pool.map(post, enumerate(bodies)))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_cluster_loses_a_node_and_nothing_else(scenario, cluster, services, database_url, smtp, uid):
    assert scenario in ALL, f"FT_CLUSTER_SCENARIOS names {scenario!r}; choose from {', '.join(ALL)}"
    rng = random.Random(scenario)
    prefix = f"c{uid}."
    ensure_topics(cluster.bootstrap, prefix=prefix)  # replicas: the cluster's default, 3
    on_cluster = {"KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrap, "FOLLOWTHROUGH_TOPIC_PREFIX": prefix,
                  "FOLLOWTHROUGH_DELIVERY_LEASE_SECONDS": "5", "FOLLOWTHROUGH_DELIVERY_MAX_BACKOFF_SECONDS": "2",
                  "FOLLOWTHROUGH_AUDIT_INTERVAL": "3"}
    intake, _tracker, _notifier = (services(name, **on_cluster) for name in ("intake", "tracker", "notifier"))
    token = issue_token(database_url)
    assert httpx.post(f"{intake.url}/api/v1/panels", json=panel_body(uid),
                      headers={"Authorization": f"Bearer {token}"}).status_code == 201
    bodies = _recommendations(uid, rng)

    groups = {prefix + "followthrough-tracker": [prefix + t for t in TRACKER_CONSUMED],
              prefix + "followthrough-notifier": [prefix + t for t in NOTIFIER_CONSUMED]}
    posted = [0]
    fault = NodeFault(scenario, cluster, posted, rng)
    fault.topics = sorted({t for ts in groups.values() for t in ts})
    fault.start()
    t0 = time.monotonic()
    answers = _post_all(intake.url, bodies, token, posted)
    load_s = time.monotonic() - t0
    fault.join(300)
    assert fault.error is None, f"injecting {scenario} failed: {fault.error!r}"
    assert fault.back_at is not None, f"node {fault.victim} was not brought back"
    if scenario == "quorum_leader_stop":
        assert fault.new_leader not in (None, fault.victim), "the quorum elected no new leader"

    today = london_today()
    expected = {(a["commitment_id"], key)
                for a, b in zip(answers, bodies, strict=True) for key in _expected_keys(b, today)}
    engine = make_engine(database_url)
    state = {}

    def recovered() -> bool:
        with engine.connect() as conn:
            state["stored"] = conn.execute(sa.text("SELECT count(*) FROM tracker_commitments")).scalar()
            state["decided"] = conn.execute(sa.text("SELECT count(*) FROM tracker_notices")).scalar()
            state["unsent"] = conn.execute(
                sa.text("SELECT count(*) FROM notifier_deliveries WHERE state <> 'sent'")).scalar()
            state["deliveries"] = conn.execute(sa.text("SELECT count(*) FROM notifier_deliveries")).scalar()
        if not (state["stored"] == N and state["decided"] == len(expected) and state["unsent"] == 0):
            return False
        state["lag"] = cluster.lag(groups)
        return state["lag"] == 0

    waited = cluster_mod.wait(recovered, timeout=300, every=1.0)
    recover_s = time.monotonic() - fault.back_at
    assert waited is not None, f"not recovered in 300 s: {state}"
    assert state["stored"] == N, f"{N - state['stored']} recommendations never became commitments"

    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT commitment_id, key FROM tracker_notices")).all()
    assert len(rows) == len(expected) and {(r.commitment_id, r.key) for r in rows} == expected

    notice_events = read(cluster.bootstrap, prefix + "followthrough.notices",
                         until=lambda f: len({e["id"] for e in f}) >= len(expected), timeout=60)
    notices = {e["data"]["notice"]["id"]: e["data"]["notice"] for e in notice_events}
    assert {(n["commitment_id"], n["key"]) for n in notices.values()} == expected, "a notice is missing on the topic"
    resent_events = len(notice_events) - len({e["id"] for e in notice_events})  # same id: dropped by readers
    want = {(nid, r) for nid, n in notices.items() for r in n["recipients"]}

    cluster_mod.wait(lambda: want <= {(m.message["X-Followthrough-Notice"], r)
                                      for m in smtp.snapshot() for r in m.envelope_to}, timeout=120, every=1.0)
    time.sleep(2)  # anything sent twice would arrive now
    messages = smtp.snapshot()
    got = collections.Counter((m.message["X-Followthrough-Notice"], r) for m in messages for r in m.envelope_to)
    lost = want - set(got)
    duplicates = sum(v - 1 for v in got.values() if v > 1)
    message_ids = collections.Counter(m.message_id for m in messages)
    assert not lost, f"{len(lost)} emails never arrived"
    assert duplicates == 0, f"{duplicates} emails were sent twice"
    assert all(v == 1 for v in message_ids.values()), "a Message-ID arrived twice"
    assert cluster.lag(groups) == 0

    who = f"node {fault.victim}" + (f" (quorum leader; node {fault.new_leader} took over)"
                                    if scenario == "quorum_leader_stop" else "")
    line = (f"{scenario:18} N {N}  killed {who} after {fault.posted_at_kill} posted, back after "
            f"{fault.posted_at_back} (all posted in {load_s:.0f} s)  commitments {state['stored']}/{N}  "
            f"notices {len(rows)}  emails {len(want)}  lost 0  duplicate notices 0  duplicate emails 0  "
            f"re-sent notice events {resent_events}  recovered (node back -> all delivered, lag 0) "
            f"{recover_s:.1f} s  "
            f"replicas in sync {'never' if fault.isr_s is None else f'{fault.isr_s:.1f} s'} after the node was back")
    SUMMARY.append(line)
    print("\n" + line)


def teardown_module():
    if SUMMARY:
        print("\ncluster fault summary\n" + "\n".join(SUMMARY))
