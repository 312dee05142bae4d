"""Stops whole, starts clean: `followthrough demo` and `up` stop every process they started within
10 s, however the stop is asked for (Ctrl-C under a pipe, SIGTERM or SIGHUP to the supervisor alone),
broker or no broker; a service whose broker was killed still exits within its shutdown timeout;
a demo that finds a port taken names it and starts nothing.

Every run here has ports of its own (a random offset from the defaults) and a run directory of its
own, never the shared test stack's; each process it starts carries a marker in its environment, so
whatever is left (even a process re-parented away from its supervisor) is found and killed."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from devtools.demo.launch import Ports
from devtools.demo.supervisor import taken_ports
from tests.support.procs import port_open, session_members, wait_ready
from tests.support.stack import REPO

STOP_BUDGET = 10.0
MARKER = "FT_STOP_TEST_RUN"


def marked(run: str) -> list[int]:
    """Every process whose environment carries this run's marker."""
    found = []
    needle = f"{MARKER}={run}".encode()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if needle in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def free_offset() -> int:
    for _ in range(50):
        # Every port of the block below 32768, where the kernel hands out no outgoing connection's local
        # port: a block in that range could be free when checked and taken by a connection before the bind.
        offset = random.randrange(10000, 23000, 10)
        ports = Ports(offset)
        if not taken_ports({**ports.services(), **ports.broker(), "oidc provider": ports.provider()}):
            return offset
    raise AssertionError("no free block of ports")


@pytest.fixture
def run(tmp_path):
    """This test's marker, run directory and ports; on the way out, nothing of it is left."""
    name = uuid.uuid4().hex[:10]
    offset = free_offset()
    env = {**os.environ, MARKER: name, "FOLLOWTHROUGH_RUN_DIR": str(tmp_path / "run"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'up.db'}"}
    env.pop("FOLLOWTHROUGH_SHUTDOWN_TIMEOUT", None)
    yield {"name": name, "offset": offset, "ports": Ports(offset), "env": env, "dir": tmp_path}
    for pid in marked(name):
        with _gone():
            os.kill(pid, signal.SIGKILL)


class _gone:
    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        return kind is ProcessLookupError


def start(argv: list[str], env: dict, log: Path, shell: bool = False) -> subprocess.Popen:
    return subprocess.Popen(argv, cwd=REPO, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                            start_new_session=True, shell=shell)


def demo_argv(r) -> list[str]:
    return [sys.executable, "-m", "services.cli", "demo", "--port-offset", str(r["offset"]),
            "--run-dir", str(r["dir"] / "run"), "--scan-interval", "2"]


def wait_for_line(log: Path, text: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        assert proc.poll() is None, log.read_text(errors="replace")[-4000:]
        time.sleep(0.5)
    raise AssertionError(f"{text!r} never printed:\n" + log.read_text(errors="replace")[-4000:])


def assert_all_gone_within(budget: float, t0: float, r, proc: subprocess.Popen, ports) -> float:
    """Every marked process, every member of the supervisor's session, every port: gone."""
    while time.monotonic() - t0 < budget + 5:
        proc.poll()  # reaps it once it ends (a zombie still counts as a member of its session)
        left = marked(r["name"]) + session_members(proc.pid) + [p for p in ports if port_open(p)]
        if not left:
            break
        time.sleep(0.1)
    took = time.monotonic() - t0
    assert proc.poll() is not None
    assert marked(r["name"]) == [] and session_members(proc.pid) == []
    assert [p for p in ports if port_open(p)] == []
    assert took <= budget, f"stopping took {took:.1f} s"
    return took


def test_the_demo_under_a_pipe_stops_whole_on_ctrl_c(run):
    log = run["dir"] / "demo.log"
    # `make demo | tee demo.log`, then Ctrl-C: SIGINT to the terminal's whole process group, tee too.
    shell = start(["bash", "-c", " ".join(demo_argv(run)) + f" 2>&1 | tee {run['dir'] / 'tee.log'}"],
                  run["env"], log)
    wait_for_line(log, "Press Ctrl-C", shell)
    ports = [*run["ports"].services().values(), *run["ports"].broker().values(), run["ports"].provider()]
    assert all(port_open(p) for p in [*ports[:4], run["ports"].provider()])  # the force sign-in's provider too
    t0 = time.monotonic()
    os.killpg(shell.pid, signal.SIGINT)
    took = assert_all_gone_within(STOP_BUDGET, t0, run, shell, ports)
    print(f"demo under a pipe, Ctrl-C: everything gone in {took:.1f} s")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_to_the_demo_supervisor_alone_stops_everything_it_started(run, sig):
    """SIGTERM (a process manager) or SIGHUP (the terminal closed) to the supervisor only."""
    log = run["dir"] / "demo.log"
    proc = start(demo_argv(run), run["env"], log)
    wait_for_line(log, "Press Ctrl-C", proc)
    ports = [*run["ports"].services().values(), *run["ports"].broker().values(), run["ports"].provider()]
    assert len(marked(run["name"])) >= 7  # the broker, intake, tracker, notifier, mail catcher, example, provider
    t0 = time.monotonic()
    proc.send_signal(sig)
    took = assert_all_gone_within(STOP_BUDGET, t0, run, proc, ports)
    assert proc.returncode == 128 + sig
    print(f"{sig.name} to the demo's supervisor: everything gone in {took:.1f} s")


SHUTDOWN_TIMEOUT = 5.0


def test_a_service_whose_broker_was_killed_exits_within_its_shutdown_timeout(run):
    ports, d = run["ports"], run["dir"]
    kafka = ports.broker()["kafka"]
    env = {**run["env"], "KAFKA_PORT": str(kafka), "KAFKA_CONTROLLER_PORT": str(ports.broker()["kafka controller"]),
           "KAFKA_FRESH_DATA": "1", "FOLLOWTHROUGH_PYTHON": sys.executable,
           "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{kafka}", "FOLLOWTHROUGH_SHUTDOWN_TIMEOUT": str(SHUTDOWN_TIMEOUT),
           "FOLLOWTHROUGH_PUBLIC_URL": f"http://127.0.0.1:{ports.services()['tracker']}",
           "FOLLOWTHROUGH_INTAKE_PUBLIC_URL": f"http://127.0.0.1:{ports.services()['intake']}",
           "SMTP_PORT": str(ports.services()["smtp"])}
    subprocess.run([str(REPO / "deploy" / "local" / "kafka.sh"), "start"], env=env, check=True,
                   start_new_session=True, stdout=subprocess.DEVNULL)
    services = {}
    for name in ("intake", "tracker", "notifier"):
        service_env = {**env, "DATABASE_URL": f"sqlite:///{d / name}.db"}
        services[name] = start([sys.executable, "-m", "services.cli", name, "--port", str(ports.services()[name])],
                               service_env, d / f"{name}.log")
    for name, proc in services.items():
        wait_ready(f"http://127.0.0.1:{ports.services()[name]}", proc,
                   lambda name=name: (d / f"{name}.log").read_text()[-3000:])
    broker_pid = int((d / "run" / f"kafka-{kafka}" / "kafka.pid").read_text())
    os.kill(broker_pid, signal.SIGKILL)
    while port_open(kafka):
        time.sleep(0.1)
    time.sleep(3)  # the consumers notice the broker is gone
    t0 = time.monotonic()
    for proc in services.values():
        proc.send_signal(signal.SIGTERM)
    took = {}
    for name, proc in services.items():
        try:
            proc.wait(SHUTDOWN_TIMEOUT + 20)
        except subprocess.TimeoutExpired:
            pass
        took[name] = time.monotonic() - t0
    print("SIGTERM with the broker killed: " + ", ".join(f"{n} exited in {t:.1f} s" for n, t in took.items()))
    assert all(p.poll() is not None for p in services.values()), took
    assert all(t <= SHUTDOWN_TIMEOUT + 1.0 for t in took.values()), took  # 1 s for the interpreter to exit


def test_a_demo_with_a_port_taken_names_it_and_starts_nothing(run):
    intake = run["ports"].services()["intake"]
    with socket.socket() as holder:  # the orphan of an earlier demo, say
        holder.bind(("127.0.0.1", intake))
        holder.listen()
        result = subprocess.run(demo_argv(run), cwd=REPO, env=run["env"], capture_output=True, text=True,
                                timeout=60, start_new_session=True)
    assert result.returncode != 0
    assert f"port {intake} (intake) is already in use" in result.stderr
    assert "Nothing was started" in result.stderr
    assert not (run["dir"] / "run").exists()
    assert marked(run["name"]) == []
    assert not port_open(run["ports"].broker()["kafka"])
