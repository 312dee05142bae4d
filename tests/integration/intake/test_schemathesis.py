"""schemathesis against intake's own OpenAPI: no input makes it answer 5xx."""

from __future__ import annotations

import httpx

from tests.support.api import issue_token, panel_body
from tests.support.fuzz import fuzz


def test_intake_openapi_fuzz_finds_no_server_error(services, database_url, uid, tmp_path):
    intake = services("intake")
    token = issue_token(database_url)
    httpx.post(f"{intake.url}/api/v1/panels", json=panel_body(uid), headers={"Authorization": f"Bearer {token}"})
    assert fuzz(intake.url, token, tmp_path) >= 1000
