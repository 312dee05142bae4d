"""A far date sent to intake is refused as a problem naming the field; it used to reach the
response clock's arithmetic and answer a plain-text 500 without the security headers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.support.api import issue_token, panel_body


@pytest.fixture
def intake(stack, database_url, prefix):
    settings = IntakeSettings(kafka_bootstrap_servers=stack.bootstrap, database_url=database_url,
                              followthrough_topic_prefix=prefix, followthrough_reply_consumer=False)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:  # as uvicorn answers
        client.admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
        yield client


def test_a_pending_recommendation_raised_on_9999_12_31_is_a_problem_naming_raised_on(intake, uid):
    assert intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin).status_code == 201
    body = {"panel": f"panel-{uid}", "raised_on": "9999-12-31", "title": "Explain stops", "decision": "pending"}
    r = intake.post("/api/v1/recommendations", json=body, headers=intake.admin)
    assert (r.status_code, r.headers["content-type"]) == (422, "application/problem+json"), \
        f"{r.status_code} {r.headers['content-type']}: {r.text[:80]}"
    (error,) = r.json()["errors"]
    assert error["pointer"] == "/raised_on" and "10 years" in error["message"]
    assert "content-security-policy" in r.headers
