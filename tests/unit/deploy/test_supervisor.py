"""The demo's supervisor: the Procfile read with the run's own settings, output that survives
its reader going away, taken ports found, and every process stopped, even one that ignores SIGTERM."""

from __future__ import annotations

import io
import signal
import socket
import sys
import time
from pathlib import Path

from devtools.demo.launch import Ports, service_env
from devtools.demo.supervisor import Command, Output, Supervisor, read_procfile, taken_ports

REPO = Path(__file__).resolve().parents[3]


def test_the_procfile_takes_its_ports_from_the_run_not_from_this_process():
    env = service_env(Ports(100), {}, watched=False)
    commands = {c.name: c.argv for c in read_procfile(REPO / "deploy" / "local" / "Procfile", env)}
    assert commands["intake"] == [sys.executable, "-m", "services.cli", "intake", "--port", "8101"]
    assert commands["mail"][-4:] == ["--smtp-port", "1125", "--http-port", "8125"]
    assert env["FOLLOWTHROUGH_PUBLIC_URL"] == "http://127.0.0.1:8102"
    assert env["NOTIFIER_URL"] == "http://127.0.0.1:8103"


def test_only_the_named_processes_are_read():
    env = service_env(Ports(0), {}, watched=True)
    names = [c.name for c in read_procfile(REPO / "deploy" / "local" / "Procfile", env, ["tracker", "mail"])]
    assert names == ["tracker", "mail"] and env["FOLLOWTHROUGH_SUPERVISED"] == "true"


class ClosedPipe(io.RawIOBase):
    def write(self, data) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_output_ends_the_output_not_the_supervisor():
    out = Output(ClosedPipe())
    out.line("tracker", b"one")
    out.line("tracker", b"two")
    assert out.closed


def test_prefixes_name_each_line():
    stream = io.BytesIO()
    Output(stream).line("intake", b"hello\n")
    assert stream.getvalue().endswith(b"intake | hello\n")


def test_a_listening_port_is_named_and_a_free_one_is_not():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            free = probe.getsockname()[1]
        assert taken_ports({"intake": taken, "tracker": free}) == [("intake", taken)]


def test_every_process_is_stopped_and_one_that_ignores_sigterm_is_killed():
    stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); " \
               "time.sleep(60)"
    commands = [Command("polite", [sys.executable, "-c", "import time; time.sleep(60)"]),
                Command("stubborn", [sys.executable, "-c", stubborn])]
    stream = io.BytesIO()
    supervisor = Supervisor(commands, {}, REPO, Output(stream), grace=0.5)
    supervisor.start()
    time.sleep(0.5)
    t0 = time.monotonic()
    supervisor.on_signal(signal.SIGTERM)
    assert supervisor.wait() == 128 + signal.SIGTERM
    assert time.monotonic() - t0 < 3
    assert all(p.poll() is not None for p in supervisor.procs.values())
    assert supervisor.procs["stubborn"].returncode == -signal.SIGKILL
    assert b"stubborn ignored SIGTERM" in stream.getvalue()


def test_the_first_process_to_end_stops_the_others_with_its_code():
    commands = [Command("short", [sys.executable, "-c", "raise SystemExit(3)"]),
                Command("long", [sys.executable, "-c", "import time; time.sleep(60)"])]
    supervisor = Supervisor(commands, {}, REPO, Output(io.BytesIO()), grace=2)
    supervisor.start()
    assert supervisor.wait() == 3
    assert supervisor.procs["long"].poll() is not None
