"""`make demo` as a new user runs it: everything starts, the printed URLs
answer, an escalation email is caught, and Ctrl-C leaves no process behind."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time

import httpx

from tests.support.procs import assert_nothing_left, port_open, press_ctrl_c
from tests.support.stack import REPO

PORTS = (8001, 8002, 8003, 8025, 1025, 9092)


def test_demo_runs_and_ctrl_c_stops_everything():
    busy = [p for p in PORTS if port_open(p)]
    assert not busy, f"ports {busy} are in use; stop whatever holds them (a running demo?)"
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", "demo", "--scan-interval", "1"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True).start()
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not any("Press Ctrl-C" in line for line in lines):
            assert proc.poll() is None, "".join(lines[-40:])
            time.sleep(0.5)
        output = "".join(lines)
        assert "Press Ctrl-C" in output, output[-3000:]
        urls = re.findall(r"(http://127\.0\.0\.1:\d+\S*)", output.split("demo is running:")[1])
        assert len(urls) == 5
        for url in urls:
            assert httpx.get(url, timeout=10).status_code == 200, url

        mail_url = next(u for u in urls if ":8025" in u)
        deadline = time.monotonic() + 60  # each email arrives on its own: wait for both kinds

        def caught() -> bool:
            text = httpx.get(mail_url).text
            return "Escalation level" in text and "Six-month review due" in text
        while time.monotonic() < deadline and not caught():
            time.sleep(1)
        assert "Escalation level" in httpx.get(mail_url).text
        assert "Six-month review due" in httpx.get(mail_url).text
        panel_page = httpx.get(next(u for u in urls if "/panels/" in u)).text
        assert "Late by" in panel_page and "Late, or waiting for you" in panel_page
        both = panel_page + httpx.get(next(u for u in urls if "/panels/" in u).replace(
            "mentoring-cohort", "youth-led-training")).text
        for state in ("Done, and checked", "You said it is not done", "Dropped", "Being worked on",
                      "Awaiting police response", "Police said no", "Promise broken",
                      "Senior police were asked to review it",
                      "Will be late", "Reopened by you", "You reopened it",  # a declared delay; a reopened promise
                      "You insisted, so they must answer again",  # an insisted decline
                      "Police cannot do this; the council&#39;s transport team can.",  # a decline naming who can
                      "Your new idea, in answer to"):  # the panel's counter-proposal
            assert state in both, state
        assert "Late now" in httpx.get(next(u for u in urls if u.endswith("/register"))).text
    finally:
        press_ctrl_c(proc)
    assert_nothing_left(proc, PORTS)
