"""Strict-Transport-Security on every answer of every service whose public URL is https, errors
included (an unhandled exception's bare 500 too), and never on a plain-http one."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.common import headers

HSTS = "max-age=31536000; includeSubDomains"
STRONG = "h" * 48


def _boom_app(public_url: str) -> FastAPI:
    app = FastAPI()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    @app.get("/ok")
    def ok() -> dict:
        return {}

    headers.install(app, public_url=public_url)
    return app


def test_every_answer_of_an_https_service_carries_hsts_even_a_bare_500():
    client = TestClient(_boom_app("https://followthrough.example.org"), raise_server_exceptions=False)
    for path, status in (("/ok", 200), ("/nowhere", 404), ("/boom", 500)):
        r = client.get(path)
        assert r.status_code == status
        assert r.headers.get("strict-transport-security") == HSTS, path
        assert r.headers["x-content-type-options"] == "nosniff", path


def test_a_plain_http_service_sends_no_hsts():
    r = TestClient(_boom_app("http://127.0.0.1:8002")).get("/ok")
    assert "strict-transport-security" not in r.headers


def _tracker(url):
    from services.tracker.app import create_app
    from services.tracker.settings import TrackerSettings
    return create_app(TrackerSettings(followthrough_public_url=url, followthrough_secret_key=STRONG))


def _notifier(url):
    from services.notifier.app import create_app
    from services.notifier.settings import NotifierSettings
    return create_app(NotifierSettings(followthrough_public_url=url, followthrough_secret_key=STRONG))


def _intake(url):
    from services.intake.app import create_app
    from services.intake.settings import IntakeSettings
    return create_app(IntakeSettings(followthrough_public_url=url, followthrough_intake_public_url=url,
                                     followthrough_secret_key=STRONG))


@pytest.mark.parametrize("make", [_intake, _tracker, _notifier], ids=["intake", "tracker", "notifier"])
def test_each_service_with_an_https_public_url_sends_hsts(make):
    client = TestClient(make("https://followthrough.example.org"))  # no lifespan: nothing else starts
    for path in ("/nowhere", "/problems/invalid-request", "/openapi.json"):
        assert client.get(path).headers.get("strict-transport-security") == HSTS, path
    plain = TestClient(make("http://127.0.0.1:8002"))
    assert "strict-transport-security" not in plain.get("/nowhere").headers
