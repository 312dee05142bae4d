"""An unhandled error on any service answers as every other error does: a problem
(application/problem+json, no traceback, no exception text) with the security headers. Starlette
writes the last-resort 500 outside every middleware, so the headers cannot come from there."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.intake.app import create_app as intake_app
from services.intake.settings import IntakeSettings
from services.notifier.app import create_app as notifier_app
from services.notifier.settings import NotifierSettings
from services.tracker.app import create_app as tracker_app
from services.tracker.settings import TrackerSettings

APPS = {"intake": lambda: intake_app(IntakeSettings()), "tracker": lambda: tracker_app(TrackerSettings()),
        "notifier": lambda: notifier_app(NotifierSettings())}


@pytest.mark.parametrize("service", sorted(APPS))
def test_an_unhandled_error_is_a_problem_with_the_security_headers(service):
    app = APPS[service]()

    def boom() -> None:
        raise RuntimeError("secret detail: postgresql://ft:hunter2@db/ft")

    app.add_api_route("/boom", boom)
    client = TestClient(app, raise_server_exceptions=False)  # as uvicorn answers: no lifespan needed
    r = client.get("/boom")
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json", r.headers["content-type"]
    body = r.json()
    assert body["status"] == 500 and body["type"].endswith("/problems/server-error") and body["instance"] == "/boom"
    assert "hunter2" not in r.text and "RuntimeError" not in r.text
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"
