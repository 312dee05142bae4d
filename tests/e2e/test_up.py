"""`followthrough up` on its own: the three services and the mail catcher on
the broker and database the settings name, wired together, and Ctrl-C stops
every one of them."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import httpx

from tests.support.api import agreed_body, issue_token, panel_body
from tests.support.procs import assert_nothing_left, port_open, press_ctrl_c, wait_ready
from tests.support.stack import REPO

PORTS = {"intake": 8001, "tracker": 8002, "notifier": 8003, "mail": 8025, "smtp": 1025}


def test_up_runs_every_service_on_the_given_broker_and_database_and_ctrl_c_stops_them(
        stack, database_url, prefix, uid):
    busy = [p for p in PORTS.values() if port_open(p)]
    assert not busy, f"ports {busy} are in use; stop whatever holds them (a running demo?)"
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap, "DATABASE_URL": database_url,
           "FOLLOWTHROUGH_TOPIC_PREFIX": prefix, "FOLLOWTHROUGH_SCAN_INTERVAL": "1"}
    (REPO / "test-artifacts").mkdir(exist_ok=True)
    log = open(REPO / "test-artifacts" / f"up-{uid}.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", "up"], cwd=REPO, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for name in ("intake", "tracker", "notifier"):
            wait_ready(f"http://127.0.0.1:{PORTS[name]}", proc,
                       lambda: (REPO / "test-artifacts" / f"up-{uid}.log").read_text()[-3000:])

        # Wired together: an overdue commitment posted to intake reaches the catcher as an email.
        auth = {"Authorization": f"Bearer {issue_token(database_url)}"}
        intake = f"http://127.0.0.1:{PORTS['intake']}"
        assert httpx.post(f"{intake}/api/v1/panels", json=panel_body(uid), headers=auth).status_code == 201
        body = agreed_body(uid, dt.date.today() - dt.timedelta(days=3))
        assert httpx.post(f"{intake}/api/v1/recommendations", json=body, headers=auth).status_code == 201
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and f"owner-{uid}@example.org" not in httpx.get(
                f"http://127.0.0.1:{PORTS['mail']}/").text:
            time.sleep(1)
        assert f"owner-{uid}@example.org" in httpx.get(f"http://127.0.0.1:{PORTS['mail']}/").text
    finally:
        press_ctrl_c(proc, 60)
    assert_nothing_left(proc, PORTS.values())
