"""Fixtures by dependency: unit tests need none; the rest get the real stack."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from tests.support import stack as stack_mod
from tests.support import worker_groups
from tests.support.services import ServiceProcess, free_port

# `oidc_provider`: a real OpenID provider on loopback, for every test that signs staff in.
pytest_plugins = ["tests.support.oidc_provider"]

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


# What `make test` runs first, on its own (`-m alone`): the fault scenarios that restart the shared
# broker and database under everyone, while the broker holds few partitions (it restarts faster).
ALONE = ("tests/faults/test_faults.py::test_nothing_lost_nothing_duplicated[broker_restart]",
         "tests/faults/test_faults.py::test_nothing_lost_nothing_duplicated[postgres_restart]")
RUN_ID = "FT_XDIST_RUN"


def _under_xdist(config) -> bool:
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")


def pytest_configure(config):
    if _under_xdist(config):
        os.environ.setdefault(RUN_ID, uuid.uuid4().hex)  # workers inherit it: one name for this run
    if _under_xdist(config) or os.environ.get("FT_KEEP_STACK"):
        # Containers that outlive the process which started them (testcontainers' reaper would
        # remove them when it exits): the next run, or this run's controller, finds them by name.
        os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")


def pytest_itemcollected(item):
    """Marked as it is collected, before `-m` deselects."""
    if item.nodeid in ALONE:
        item.add_marker(pytest.mark.alone)


def pytest_collection_modifyitems(config, items):
    if hasattr(config, "workerinput"):  # the heavy group first, on the first free worker
        items.sort(key=lambda item: worker_groups.group_of(item.nodeid) != "heavy")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadscope` keeps each group of tests/support/worker_groups.py on one worker."""
    if config.getvalue("dist") == "loadscope":
        return worker_groups.scheduler(config, log)
    return None


def pytest_sessionfinish(session):
    """Under pytest-xdist, the controller stops the stack its workers shared (they never do)."""
    run_id = os.environ.get(RUN_ID)
    if _under_xdist(session.config) and run_id and stack_mod.started_in(run_id) \
            and not os.environ.get("FT_KEEP_STACK"):
        stack_mod.stop()


@pytest.fixture(scope="session")
def stack():
    run_id = os.environ.get(RUN_ID)
    if run_id:  # one of several workers: the first starts the stack, the controller stops it
        s = stack_mod.start_shared(run_id)
        yield s
        s.drop_created()
        return
    s = stack_mod.start()
    yield s
    s.drop_created()
    if not os.environ.get("FT_KEEP_STACK"):
        stack_mod.stop()


@pytest.fixture
def database_url(stack) -> str:
    return stack.new_database()


class SmtpServer:
    """A real SMTP server on loopback that records what it accepts; it can be stopped and restarted."""

    def __init__(self) -> None:
        from devtools.catcher import RecordingHandler

        self.port = free_port()
        self.handler = RecordingHandler()
        self.controller = None
        self.start()

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None

    def snapshot(self):
        return self.handler.snapshot()


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def uid() -> str:
    """Tests share topics; unique names and addresses keep their data apart."""
    return uuid.uuid4().hex[:8]


@pytest.fixture
def prefix(stack, uid) -> str:
    """Each test gets its own topics (FOLLOWTHROUGH_TOPIC_PREFIX), so no test reads another's events."""
    from services.common.topics import ensure_topics

    name = f"t{uid}."
    ensure_topics(stack.bootstrap, prefix=name)
    return name


@pytest.fixture
def topic(prefix):
    return lambda name: prefix + name


@pytest.fixture
def service_env(stack, database_url, smtp, prefix) -> dict[str, str]:
    return {
        "FOLLOWTHROUGH_TOPIC_PREFIX": prefix,
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap,
        "DATABASE_URL": database_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "FOLLOWTHROUGH_SCAN_INTERVAL": "1",
    }


@pytest.fixture
def services(service_env, tmp_path_factory):
    """Start services by name; all are stopped after the test."""
    log_dir = ARTIFACTS / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    started: list[ServiceProcess] = []

    def start(name: str, **extra_env: str) -> ServiceProcess:
        proc = ServiceProcess(name, {**service_env, **extra_env}, log_dir)
        started.append(proc)
        return proc.start()

    yield start
    # SIGTERM to all first, then wait: they shut down side by side, not one after the other.
    for proc in started:
        proc.terminate()
    for proc in started:
        proc.stop()

