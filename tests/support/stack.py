"""The real Kafka broker and PostgreSQL cluster for the test run, on ports of their own, so a
running demo is untouched. Two launchers:

- containers: when a Docker engine answers, Apache Kafka (`apache/kafka`, KRaft, the version of
  deploy/local/kafka/pom.xml) and PostgreSQL (`postgres`, pinned below) started with
  testcontainers;
- local: otherwise, through deploy/local (Kafka from Maven jars, PostgreSQL from Debian).

`FT_STACK=local|containers` forces one; unset, the Docker probe decides."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[2]
KAFKA_PORT = int(os.environ.get("FT_TEST_KAFKA_PORT", "19092"))
PG_PORT = int(os.environ.get("FT_TEST_PG_PORT", "15433"))
RUN_DIR = os.environ.get("FT_TEST_RUN_DIR", "/tmp/followthrough-test")
KAFKA_VERSION = re.search(r"<kafka.version>(.+)</kafka.version>",
                          (REPO / "deploy" / "local" / "kafka" / "pom.xml").read_text()).group(1)
KAFKA_IMAGE = f"apache/kafka:{KAFKA_VERSION}"  # the broker deploy/local runs, as the official image
POSTGRES_IMAGE = "postgres:15.14"  # the oldest PostgreSQL the README supports
DB_USER = DB_PASSWORD = DB_NAME = "followthrough"
STACKS = ("local", "containers")


class StackChoiceError(RuntimeError):
    """FT_STACK asks for something this machine cannot give."""


def docker_answers() -> bool:
    """True when a Docker engine answers a ping (DOCKER_HOST or the default socket)."""
    try:
        import docker
    except ImportError:
        return False
    try:
        client = docker.from_env(timeout=5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


def choose(env: Mapping[str, str], probe: Callable[[], bool]) -> str:
    """Which launcher starts the stack: FT_STACK when set, else containers if `probe` (is there
    a Docker engine?) says yes, else local. The probe only runs when it can change the answer."""
    forced = env.get("FT_STACK", "").strip().lower()
    if forced and forced not in STACKS:
        raise StackChoiceError(f"FT_STACK={env['FT_STACK']!r} is not a test stack: set FT_STACK=local "
                               "(deploy/local: Kafka from Maven jars, PostgreSQL from Debian) or FT_STACK=containers "
                               "(Docker), or unset it to use Docker when an engine answers.")
    if forced == "local":
        return "local"
    if forced == "containers":
        if not probe():
            raise StackChoiceError("FT_STACK=containers, but no Docker engine answers. Start Docker (or point "
                                   "DOCKER_HOST at a running engine), or set FT_STACK=local to use deploy/local.")
        return "containers"
    return "containers" if probe() else "local"


@dataclass
class Stack:
    bootstrap: str
    admin_url: str  # the cluster's maintenance database
    created: list[str] = field(default_factory=list)  # by this process, dropped when its session ends

    def _admin_engine(self) -> sa.Engine:
        return sa.create_engine(self.admin_url.replace("postgresql://", "postgresql+psycopg://"),
                                isolation_level="AUTOCOMMIT")

    def new_database(self) -> str:
        """A fresh, empty database: each test owns its tables."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        engine = self._admin_engine()
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        self.created.append(name)
        return self.admin_url.rsplit("/", 1)[0] + "/" + name

    def drop_created(self) -> None:
        """Drop the databases this process made. A kept stack (FT_KEEP_STACK) otherwise grows by every
        run's few gigabytes until its disk is full. Best effort: the cluster may be down by now."""
        engine = self._admin_engine()
        try:
            with engine.connect() as conn:
                while self.created:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.created[-1]}" WITH (FORCE)'))
                    self.created.pop()
        except sa.exc.SQLAlchemyError as exc:
            print(f"stack: {len(self.created)} test databases left in place: {exc}", file=sys.stderr)
        finally:
            engine.dispose()


def _env() -> dict[str, str]:
    return {**os.environ, "KAFKA_PORT": str(KAFKA_PORT), "PG_PORT": str(PG_PORT),
            "FOLLOWTHROUGH_RUN_DIR": RUN_DIR, "FOLLOWTHROUGH_PYTHON": sys.executable}


class ScriptError(RuntimeError):
    """A deploy/local launcher failed; the message carries what it printed."""


def script(name: str, action: str, **env: str) -> None:
    """Run a deploy/local launcher. Its output goes to a file rather than a pipe, which the broker or
    the database it starts could hold open after it exits; a failure raises with that output in its
    message, so a CI log's one-line summary says why (its last line comes first)."""
    with tempfile.TemporaryFile(mode="w+") as out:
        done = subprocess.run([str(REPO / "deploy" / "local" / name), action], env={**_env(), **env},
                              stdout=out, stderr=subprocess.STDOUT)
        out.seek(0)
        printed = out.read()
    sys.stdout.write(printed)
    if done.returncode:
        lines = [line for line in printed.splitlines() if line.strip()]
        last = lines[-1] if lines else "(it printed nothing)"
        free = shutil.disk_usage(RUN_DIR).free / 2**30 if os.path.isdir(RUN_DIR) else float("nan")
        raise ScriptError(f"deploy/local/{name} {action} exited {done.returncode} ({free:.1f} GiB free at "
                          f"{RUN_DIR}): {last}\n"
                          + "\n".join(lines[-40:]))


class LocalLauncher:
    """deploy/local/kafka.sh and postgres.sh, as `make demo` runs them."""

    name = "local"
    scripts = {"kafka": "kafka.sh", "postgres": "postgres.sh"}

    def start(self) -> Stack:
        script("kafka.sh", "start", KAFKA_FRESH_DATA="1")  # a broker already running is kept as it is
        script("postgres.sh", "start")
        return Stack(bootstrap=f"127.0.0.1:{KAFKA_PORT}",
                     admin_url=f"postgresql://{DB_USER}:{DB_PASSWORD}@127.0.0.1:{PG_PORT}/{DB_NAME}")

    def stop_one(self, which: str) -> None:
        script(self.scripts[which], "stop")

    def start_one(self, which: str) -> None:
        script(self.scripts[which], "start")

    def stop(self) -> None:
        self.stop_one("kafka")
        self.stop_one("postgres")


class ContainersLauncher:
    """Apache Kafka and PostgreSQL in Docker with testcontainers. Both are published on the same
    fixed host ports as the local stack (FT_TEST_KAFKA_PORT, FT_TEST_PG_PORT), so the broker can
    advertise its address before it starts and a container keeps its address across a restart."""

    name = "containers"
    # Named, so that another pytest-xdist worker finds them running and the controller can stop them.
    names = {"kafka": f"followthrough-test-kafka-{KAFKA_PORT}", "postgres": f"followthrough-test-postgres-{PG_PORT}"}

    def __init__(self) -> None:
        self.containers: dict[str, object] = {}

    def existing(self) -> list[object]:
        """The stack's containers that exist now (running or not), whoever started them."""
        import docker

        client = docker.from_env()
        return [c for c in client.containers.list(all=True) if c.name in self.names.values()]

    @staticmethod
    def kafka_env() -> dict[str, str]:
        """The official image's settings (KAFKA_* environment): one KRaft node, like deploy/local."""
        return dict(KAFKA_NODE_ID="1", KAFKA_PROCESS_ROLES="broker,controller",
                    KAFKA_LISTENERS="PLAINTEXT://:9092,CONTROLLER://:9093",
                    KAFKA_ADVERTISED_LISTENERS=f"PLAINTEXT://127.0.0.1:{KAFKA_PORT}",
                    KAFKA_CONTROLLER_LISTENER_NAMES="CONTROLLER",
                    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                    KAFKA_CONTROLLER_QUORUM_VOTERS="1@localhost:9093",
                    KAFKA_NUM_PARTITIONS="6", KAFKA_AUTO_CREATE_TOPICS_ENABLE="false",
                    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR="1", KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS="1",
                    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR="1", KAFKA_TRANSACTION_STATE_LOG_MIN_ISR="1",
                    KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR="1",
                    KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR="1",
                    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS="0")

    def kafka_container(self):
        from testcontainers.core.container import DockerContainer

        return (DockerContainer(KAFKA_IMAGE).with_name(self.names["kafka"]).with_bind_ports(9092, KAFKA_PORT)
                .with_envs(**self.kafka_env()))

    def postgres_container(self):
        from testcontainers.community.postgres import PostgresContainer

        return PostgresContainer(POSTGRES_IMAGE, username=DB_USER, password=DB_PASSWORD, dbname=DB_NAME,
                                 driver=None).with_name(self.names["postgres"]).with_bind_ports(5432, PG_PORT)

    def start(self) -> Stack:
        try:
            import testcontainers  # noqa: F401
        except ImportError as exc:
            raise StackChoiceError("The containers test stack needs testcontainers: run "
                                   "`.venv/bin/pip install -e '.[test]'`, or set FT_STACK=local.") from exc
        from testcontainers.core.waiting_utils import wait_for_logs

        bootstrap = f"127.0.0.1:{KAFKA_PORT}"
        admin_url = f"postgresql://{DB_USER}:{DB_PASSWORD}@127.0.0.1:{PG_PORT}/{DB_NAME}"
        found = self.existing()
        if len(found) == len(self.names) and all(c.status == "running" for c in found):
            return Stack(bootstrap=bootstrap, admin_url=admin_url)  # kept, or started by another worker
        for container in found:  # half a stack, or a stopped one: its names must be free
            container.remove(force=True)
        kafka = self.containers["kafka"] = self.kafka_container().start()
        wait_for_logs(kafka, "Kafka Server started", timeout=180)
        self.containers["postgres"] = self.postgres_container().start()
        from services.common.topics import ensure_topics

        ensure_topics(bootstrap)
        return Stack(bootstrap=bootstrap, admin_url=admin_url)

    def stop_one(self, which: str) -> None:
        self.containers[which].get_wrapped_container().stop(timeout=30)

    def start_one(self, which: str) -> None:
        self.containers[which].get_wrapped_container().start()  # same ports, same data
        if which == "kafka":
            from services.common.topics import ensure_topics

            ensure_topics(f"127.0.0.1:{KAFKA_PORT}", timeout_s=180)

    def stop(self) -> None:
        for container in self.containers.values():
            container.stop()
        self.containers.clear()
        for container in self.existing():  # started by a pytest-xdist worker, stopped by the controller
            container.remove(force=True)


LAUNCHERS = {"local": LocalLauncher, "containers": ContainersLauncher}
_launcher: LocalLauncher | ContainersLauncher | None = None


def launcher() -> LocalLauncher | ContainersLauncher:
    """The launcher this run uses, chosen once (see `choose`)."""
    global _launcher
    if _launcher is None:
        _launcher = LAUNCHERS[choose(os.environ, docker_answers)]()
    return _launcher


def start() -> Stack:
    return launcher().start()


def start_shared(run_id: str) -> Stack:
    """`start` for one of several pytest-xdist workers: under a file lock, so the first worker
    starts the stack and the others find it running; `started_in(run_id)` then says that this
    run (not an earlier one kept with FT_KEEP_STACK) may stop it."""
    os.makedirs(RUN_DIR, exist_ok=True)
    with open(os.path.join(RUN_DIR, "stack.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            stack = start()
            open(_started_marker(run_id), "w").close()
            return stack
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _started_marker(run_id: str) -> str:
    return os.path.join(RUN_DIR, f"stack-used-by-{run_id}")


def started_in(run_id: str) -> bool:
    """True once, for the pytest-xdist controller: did a worker of run `run_id` use the stack?"""
    try:
        os.remove(_started_marker(run_id))
        return True
    except FileNotFoundError:
        return False


def stop() -> None:
    launcher().stop()


def restart(which: str, down_s: float = 3.0) -> None:
    """Stop the broker or the database ("kafka", "postgres"), wait `down_s`, start it again."""
    import time

    launcher().stop_one(which)
    time.sleep(down_s)
    launcher().start_one(which)
