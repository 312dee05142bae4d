"""`followthrough demo` and `up`: which ports, which settings, and the order of start and stop.

Before anything starts, every port the run needs is checked; a taken one is named and nothing
starts (a second demo beside a first one's orphans would reach the old services). The broker
(demo only) runs in a session of its own too, so a Ctrl-C reaches the supervisor alone, which
stops the services first and the broker last, all within STOP_BUDGET seconds. When node and the
npm package are there, the demo's OpenID provider (devtools/demo/staff.py) is one of the supervised
processes, and intake and the tracker trust it. The demo also runs a webhook receiver
(devtools/demo/receiver.py) on loopback, so its webhooks service may call private addresses."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from devtools.demo import staff
from devtools.demo.supervisor import Command, Output, Supervisor, read_procfile, stdout, taken_ports

REPO = Path(__file__).resolve().parents[2]
PROCFILE = REPO / "deploy" / "local" / "Procfile"
STOP_BUDGET = 10.0  # seconds from the stop signal to the last process gone
SERVICE_SHUTDOWN = 4.0  # each service's FOLLOWTHROUGH_SHUTDOWN_TIMEOUT in a demo
GRACE = SERVICE_SHUTDOWN + 1.0  # then the supervisor kills what is left


@dataclass(frozen=True)
class Ports:
    """The defaults, all moved by `offset` (a second demo beside the first: --port-offset 100)."""
    offset: int = 0

    def services(self) -> dict[str, int]:
        o = self.offset
        return {"intake": 8001 + o, "tracker": 8002 + o, "notifier": 8003 + o, "webhooks": 8004 + o,
                "mail page": 8025 + o, "smtp": 1025 + o}

    def broker(self) -> dict[str, int]:
        return {"kafka": 9092 + self.offset, "kafka controller": 9093 + self.offset}

    def receiver(self) -> int:
        """The demo's webhook receiver (devtools/demo/receiver.py)."""
        return 8005 + self.offset

    def provider(self) -> int:
        """The demo's OpenID provider (the force sign-in); 8004 is the webhooks service's."""
        return 8006 + self.offset


def service_env(ports: Ports, env: dict[str, str], watched: bool) -> dict[str, str]:
    """What the Procfile and the services read: their ports and each other's addresses."""
    p = ports.services()
    out = {**env, "PYTHON": sys.executable,
           "INTAKE_PORT": str(p["intake"]), "TRACKER_PORT": str(p["tracker"]),
           "NOTIFIER_PORT": str(p["notifier"]), "WEBHOOKS_PORT": str(p["webhooks"]),
           "MAIL_PORT": str(p["mail page"]), "SMTP_PORT": str(p["smtp"]),
           "INTAKE_URL": f"http://127.0.0.1:{p['intake']}", "TRACKER_URL": f"http://127.0.0.1:{p['tracker']}",
           "NOTIFIER_URL": f"http://127.0.0.1:{p['notifier']}", "WEBHOOKS_URL": f"http://127.0.0.1:{p['webhooks']}",
           "MAIL_URL": f"http://127.0.0.1:{p['mail page']}"}
    out.setdefault("FOLLOWTHROUGH_PUBLIC_URL", out["TRACKER_URL"])
    out.setdefault("FOLLOWTHROUGH_INTAKE_PUBLIC_URL", out["INTAKE_URL"])
    out.setdefault("FOLLOWTHROUGH_SHUTDOWN_TIMEOUT", str(SERVICE_SHUTDOWN))
    if watched:
        out.setdefault("FOLLOWTHROUGH_SUPERVISED", "true")
    return out


def refuse_taken(ports: dict[str, int], command: str) -> bool:
    taken = taken_ports(ports)
    for name, port in taken:
        print(f"followthrough {command}: port {port} ({name}) is already in use; stop what holds it (a demo "
              f"still running?) or move every port with --port-offset. Nothing was started.", file=sys.stderr)
    return bool(taken)


def _watched() -> bool:
    return any(os.isatty(fd) for fd in (0, 1))


def up(offset: int = 0, names: list[str] | None = None) -> int:
    ports = Ports(offset)
    if refuse_taken(ports.services(), "up"):
        return 1
    env = service_env(ports, dict(os.environ), _watched())
    commands = read_procfile(PROCFILE, env, names or ["intake", "tracker", "notifier", "webhooks", "mail"])
    return _supervise(commands, env, stdout())


def demo(offset: int, run_dir: Path, scan_interval: float) -> int:
    ports = Ports(offset)
    off = staff.unavailable()
    provider_port = {} if off else {"oidc provider": ports.provider()}
    if refuse_taken({**ports.broker(), **ports.services(), "webhook receiver": ports.receiver(), **provider_port},
                    "demo"):
        return 1
    shutil.rmtree(run_dir, ignore_errors=True)  # the demo starts fresh each time
    run_dir.mkdir(parents=True)
    kafka = ports.broker()["kafka"]
    env = service_env(ports, dict(os.environ), _watched())
    env.update({"FOLLOWTHROUGH_PYTHON": sys.executable, "FOLLOWTHROUGH_RUN_DIR": str(run_dir),
                "KAFKA_PORT": str(kafka), "KAFKA_CONTROLLER_PORT": str(ports.broker()["kafka controller"]),
                "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{kafka}",
                "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{run_dir / 'demo.db'}"),
                "FOLLOWTHROUGH_SCAN_INTERVAL": str(scan_interval),
                "RECEIVER_PORT": str(ports.receiver()), "RECEIVER_URL": f"http://127.0.0.1:{ports.receiver()}",
                # the receiver listens on loopback, which the webhooks service refuses unless told
                "FOLLOWTHROUGH_WEBHOOKS_ALLOW_PRIVATE": "true"})
    commands = read_procfile(PROCFILE, env)
    if off:
        env["DEMO_FORCE_SIGNIN_OFF"] = off  # the example's summary says why
    else:
        env.update(staff.service_env(ports.provider()))
        urls = [env["FOLLOWTHROUGH_INTAKE_PUBLIC_URL"], env["FOLLOWTHROUGH_PUBLIC_URL"]]
        commands.insert(0, staff.command(ports.provider(), staff.write_accounts(run_dir), urls))
    out = stdout()
    supervisor = Supervisor(commands, env, REPO, out, GRACE)
    supervisor.install_signals()
    try:
        if not _start_broker(env, supervisor):
            return 128 + supervisor.signal if supervisor.signal else 1
        supervisor.start()
        return supervisor.wait()
    finally:
        spent = time.monotonic() - supervisor.stopped_at if supervisor.stopped_at else 0.0
        _stop_broker(env, out, STOP_BUDGET - 1 - spent)


def _supervise(commands: list[Command], env: dict[str, str], out: Output) -> int:
    supervisor = Supervisor(commands, env, REPO, out, GRACE)
    supervisor.install_signals()
    supervisor.start()
    return supervisor.wait()


def _broker_script() -> list[str]:
    return [str(REPO / "deploy" / "local" / "kafka.sh")]


def _start_broker(env: dict[str, str], supervisor: Supervisor) -> bool:
    """kafka.sh start, in a session of its own (the broker it leaves running is in it too); a stop
    signal meanwhile ends the start."""
    start = subprocess.Popen([*_broker_script(), "start"], env=env, start_new_session=True)
    while start.poll() is None:
        if supervisor.stop_requested.wait(0.2):
            os.killpg(start.pid, signal.SIGTERM)
            start.wait()
            return False
    return start.returncode == 0  # kafka.sh said why not


def _stop_broker(env: dict[str, str], out: Output, budget: float) -> None:
    """kafka.sh stop within what is left of the stop budget; a demo's broker data is thrown away
    at the next start, so a kill at the end loses nothing."""
    timeout = max(1, int(budget))
    result = subprocess.run([*_broker_script(), "stop"], env={**env, "KAFKA_STOP_TIMEOUT": str(timeout)},
                            capture_output=True, start_new_session=True)
    for text in (result.stdout + result.stderr).splitlines():
        out.line("kafka", text)
