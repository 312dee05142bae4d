"""Runs the Procfile's processes for `followthrough demo` and `up`, and stops every one of them.

Each process runs in a session of its own, so a Ctrl-C in the terminal reaches only the
supervisor, which then stops them in order: SIGTERM to each process group, SIGKILL to what is
left after the grace period. SIGINT, SIGTERM and SIGHUP all stop it, whether it was sent to
the terminal's process group or to the supervisor alone. Its output may go to a pipe that
closes first (`make demo | tee demo.log`, then Ctrl-C): the stop goes on without it. Should
the supervisor itself be killed, Linux sends each child SIGTERM (PR_SET_PDEATHSIG)."""

from __future__ import annotations

import ctypes
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Command:
    name: str
    argv: list[str]


def read_procfile(path: Path, env: dict[str, str], names: list[str] | None = None) -> list[Command]:
    """`name: command` lines, `$VAR` and `${VAR}` taken from `env` (not from this process's own)."""
    commands = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, command = line.partition(":")
        expanded = re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), ""), command.strip())
        if names is None or name.strip() in names:
            commands.append(Command(name.strip(), shlex.split(expanded)))
    return commands


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the supervisor dies, however it dies."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the supervisor's own stop still applies
        pass


class Output:
    """Lines from every process, prefixed with the time and the process's name. A closed pipe
    (the reader went first) ends the output, never the supervisor."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream, self._lock, self.closed = stream, threading.Lock(), False
        self.width = 6

    def line(self, name: str, text: bytes) -> None:
        prefix = f"{time.strftime('%H:%M:%S')} {name:<{self.width}} | ".encode()
        with self._lock:
            if self.closed:
                return
            try:
                self._stream.write(prefix + text.rstrip(b"\n") + b"\n")
                self._stream.flush()
            except (OSError, ValueError):  # EPIPE, or the stream closed under us
                self.closed = True


class Supervisor:
    def __init__(self, commands: list[Command], env: dict[str, str], cwd: Path, output: Output,
                 grace: float) -> None:
        self.commands, self.env, self.cwd, self.out, self.grace = commands, env, cwd, output, grace
        self.procs: dict[str, subprocess.Popen] = {}
        self.stop_requested = threading.Event()
        self.signal: int | None = None
        self.stopped_at: float | None = None  # time.monotonic() when the stop began
        output.width = max([len(c.name) for c in commands] + [6])

    def on_signal(self, signum: int, _frame=None) -> None:
        self.signal = self.signal or signum
        self.stop_requested.set()

    def install_signals(self) -> None:
        for sig in STOP_SIGNALS:
            signal.signal(sig, self.on_signal)

    def start(self) -> None:
        for command in self.commands:
            if self.stop_requested.is_set():
                return
            proc = subprocess.Popen(command.argv, env=self.env, cwd=self.cwd, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                                    preexec_fn=_die_with_parent)
            self.procs[command.name] = proc
            self.out.line("system", f"{command.name} started (pid {proc.pid})".encode())
            threading.Thread(target=self._relay, args=(command.name, proc), daemon=True).start()

    def _relay(self, name: str, proc: subprocess.Popen) -> None:
        for text in iter(proc.stdout.readline, b""):  # read on after the output closed: no child blocks
            self.out.line(name, text)

    def wait(self) -> int:
        """Until a stop signal or the first process to end; then stop all. The exit code: 128 +
        the signal, or the code of the process that ended first."""
        first: int | None = None
        while not self.stop_requested.wait(0.2):
            ended = [(n, p.returncode) for n, p in self.procs.items() if p.poll() is not None]
            if ended:
                name, code = ended[0]
                self.out.line("system", f"{name} stopped (code {code}); stopping the others".encode())
                first = code or 1
                break
        if self.signal is not None:
            self.out.line("system", f"{signal.Signals(self.signal).name} received; stopping".encode())
        self.stop()
        return 128 + self.signal if self.signal is not None else (first or 0)

    def stop(self) -> None:
        """SIGTERM to every process group; SIGKILL to what is left after the grace period."""
        self.stopped_at = time.monotonic()
        for proc in self.procs.values():
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        while time.monotonic() < deadline and any(p.poll() is None for p in self.procs.values()):
            time.sleep(0.05)
        for name, proc in self.procs.items():
            if proc.poll() is None:
                self.out.line("system", f"{name} ignored SIGTERM for {self.grace:g} s; killing it".encode())
            _signal_group(proc, signal.SIGKILL)  # also whatever the process itself started
            proc.wait()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def taken_ports(ports: dict[str, int], host: str = "127.0.0.1") -> list[tuple[str, int]]:
    """The ports something already listens on (bound as the services bind them, SO_REUSEADDR)."""
    import socket

    taken = []
    for name, port in ports.items():
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((host, port))
            except OSError:
                taken.append((name, port))
    return taken


def stdout() -> Output:
    return Output(sys.stdout.buffer)
