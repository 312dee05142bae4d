"""`make demo` as a new user runs it: everything starts, the printed URLs
answer, an escalation email is caught, a police lead signs in with the example force's account
(the test OpenID provider the demo starts) and sees their own commitments on /me, and Ctrl-C
leaves no process behind, the provider included."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

import httpx

from services.common.clock import london_today
from tests.support.oidc_provider import sign_in_at_provider
from tests.support.procs import assert_nothing_left, port_open, press_ctrl_c
from tests.support.stack import REPO

PORTS = (8001, 8002, 8003, 8004, 8005, 8006, 8025, 1025, 9092)


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
        assert len(urls) == 7
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
        mentoring = next(u for u in urls if "/panels/" in u)  # with its history, a panel's page runs to pages
        both = _every_page(mentoring) + _every_page(mentoring.replace("mentoring-cohort", "youth-led-training"))
        for state in ("Kept, confirmed by the panel", "You said it is not done", "Dropped", "Being worked on",
                      "Awaiting police response", "Police said no", "Promise broken",
                      "Senior police were asked to review it",
                      "Will be late", "Reopened by you", "You reopened it",  # a declared delay; a reopened promise
                      "You insisted, so they must answer again",  # an insisted decline
                      "Police cannot do this; the council&#39;s transport team can.",  # a decline naming who can
                      "Your new idea, in answer to"):  # the panel's counter-proposal
            assert state in both, state
        assert "Late now" in httpx.get(next(u for u in urls if u.endswith("/register"))).text
        welsh = httpx.get(next(u for u in urls if "caerdydd" in u)).text  # the panel's language: Welsh
        assert '<html lang="cy">' in welsh and "Swyddogion yn siarad Cymraeg" in welsh
        report = next(u for u in urls if "/reports/" in u)  # the year with the history's two quarters
        assert report.endswith(f"/reports/{(london_today() - dt.timedelta(days=95)).year}")
        year = httpx.get(report, timeout=60).text
        assert "The custody suite is closed for a refit" in year  # a deadline the history moved, with its reason
        assert httpx.get(report + ".pdf", timeout=120).content.startswith(b"%PDF")
        assert_a_lead_signs_in_and_sees_their_part(output)
    finally:
        press_ctrl_c(proc)
    assert_nothing_left(proc, PORTS)


def _every_page(url: str) -> str:
    """The panel's page and each later page it links to."""
    pages, n = [httpx.get(url).text], 1
    while f"page={n + 1}" in pages[-1] and n < 20:
        n += 1
        pages.append(httpx.get(f"{url}?page={n}").text)
    return "".join(pages)


def assert_a_lead_signs_in_and_sees_their_part(output: str) -> None:
    """The three example staff are printed with their login; the owner signs in at the tracker
    through the provider and /me lists the promises they own, and not another owner's."""
    logins = dict(re.findall(r"login '(\w+)'\s+password '\w+' \((\S+@example\.org)\)", output))
    assert logins == {"inspector": "inspector.response@example.org",
                      "superintendent": "superintendent.ne@example.org",
                      "board": "oversight-board.training@example.org"}, output[-3000:]
    me = signed_in_me("inspector")
    (REPO / "test-artifacts").mkdir(exist_ok=True)
    (REPO / "test-artifacts" / "demo-me.html").write_text(me)  # what the signed-in owner saw
    assert "3 commitments" in me and "Late by 5 days" in me
    for owned in ("Officers explain why they stop young people", "Explain every stop, every time",
                  "A youth-friendly stop and search leaflet"):
        assert owned in me, owned
    assert "Safer routes to school" not in me  # another inspector's promise
    board = signed_in_me("board")  # the training panel's board: that panel's promises, not the cohort's
    # the panel's five, and the three of its history (devtools/demo/history.py)
    assert "8 commitments" in board and "Safer routes to school" in board, board[-3000:]
    assert "Officers explain why they stop young people" not in board


def signed_in_me(login: str) -> str:
    """Sign in at the tracker as `login`, through the demo's provider, as a browser would; its /me."""
    with httpx.Client(base_url="http://127.0.0.1:8002", timeout=10) as browser:
        assert "Sign in with your force account" in browser.get("/signin").text
        start = browser.get("/signin?force=1")
        assert start.status_code == 303, start.text
        callback = urlsplit(sign_in_at_provider(start.headers["location"], login))
        landed = browser.get(f"{callback.path}?{callback.query}")
        assert landed.status_code == 303 and landed.headers["location"] == "/me", landed.text[:500]
        me = browser.get("/me")
    assert me.status_code == 200
    return me.text
