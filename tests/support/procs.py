"""Whether processes and ports are left behind after a command stops."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable

import httpx


def session_members(sid: int) -> list[str]:
    """Every process still in session `sid` (started with start_new_session=True)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        if int(fields[3]) == sid:  # field 6 of stat: session id
            found.append(f"{stat.parent.name}: {(stat.parent / 'cmdline').read_bytes()[:120]!r}")
    return found


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def press_ctrl_c(proc: subprocess.Popen, timeout: float = 90) -> None:
    """What Ctrl-C in a terminal does: SIGINT to the whole process group; then wait."""
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise


def assert_nothing_left(proc: subprocess.Popen, ports) -> None:
    time.sleep(1)
    assert session_members(proc.pid) == []
    assert [p for p in ports if port_open(p)] == []


def wait_ready(url: str, proc: subprocess.Popen, why: Callable[[], str], timeout: float = 120) -> None:
    """Poll `url`/readyz until it answers 200; fail at once, with `why()`, if `proc` ends."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, why()
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} never became ready")


def wait_until(ok: Callable[[], object], timeout: float = 20.0) -> None:
    """Poll `ok` until it is true; fail when `timeout` seconds pass first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ok():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")
