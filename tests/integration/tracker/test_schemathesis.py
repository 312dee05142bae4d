"""schemathesis against the tracker's own OpenAPI, with a real commitment in
place so generated requests reach past the lookups: no input answers 5xx."""

from __future__ import annotations

import datetime as dt
import time

import httpx

from tests.support.api import issue_token
from tests.support.events import agreed_event, panel_event, publish
from tests.support.fuzz import fuzz


def test_tracker_openapi_fuzz_finds_no_server_error(services, stack, database_url, uid, prefix, tmp_path):
    tracker = services("tracker")
    agreed = agreed_event(uid, dt.date.today() + dt.timedelta(days=30))
    publish(stack.bootstrap, panel_event(uid), prefix)
    publish(stack.bootstrap, agreed, prefix)
    deadline = time.monotonic() + 30
    url = f"{tracker.url}/api/v1/commitments/{agreed['data']['commitment']['id']}"
    while time.monotonic() < deadline and httpx.get(url).status_code != 200:
        time.sleep(0.3)
    assert httpx.get(url).status_code == 200
    commitment_id = agreed["data"]["commitment"]["id"]
    assert fuzz(tracker.url, issue_token(database_url), tmp_path, {"path.commitment_id": commitment_id}) >= 1000
