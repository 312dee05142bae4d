"""A service started on an interface others can reach (`--host 0.0.0.0`, as compose and the
Kubernetes manifests start them) refuses a weak signing key, even when its public URL is
loopback (compose's http://localhost:8002): anyone on the network could otherwise forge its
links and forms. Run through the real command, as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

from tests.support.services import free_port
from tests.support.stack import REPO


@pytest.mark.parametrize("name", ["intake", "tracker", "notifier"])
def test_a_weak_key_on_a_public_interface_stops_the_service(service_env, name, tmp_path):
    port = free_port()
    env = {**os.environ, **service_env, "FOLLOWTHROUGH_PUBLIC_URL": "http://localhost:8002",
           "FOLLOWTHROUGH_SECRET_KEY": "x"}
    log = tmp_path / "log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "services.cli", name, "--host", "0.0.0.0", "--port", str(port)],
                                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                answered = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code
            except httpx.HTTPError:
                answered = None
            assert answered is None, f"{name} started on 0.0.0.0 with a 1-character key (/healthz: {answered})"
            time.sleep(0.2)
        assert proc.poll() == 2, log.read_text()[-2000:]
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(15)
    said = log.read_text()
    assert "refusing to start" in said and "FOLLOWTHROUGH_SECRET_KEY" in said and "0.0.0.0" in said
    assert "token_urlsafe" in said
