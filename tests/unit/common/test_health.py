"""/readyz and /healthz say ready or not; why is in the log, never in the public body."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from services.common.health import health_router


def _fails():
    raise ConnectionError("connection to postgresql://app:hunter2@db.internal failed")


def test_readyz_hides_why_and_logs_it():
    app = FastAPI()
    app.include_router(health_router({"database": _fails, "kafka": lambda: None}, liveness={"relay": _fails}))
    client = TestClient(app)
    with capture_logs() as logs:
        ready = client.get("/readyz")
        alive = client.get("/healthz")
    assert ready.status_code == 503 and ready.json() == {"status": "not ready"}
    assert alive.status_code == 503 and alive.json() == {"status": "failing"}
    assert "hunter2" not in ready.text + alive.text
    failed = [e for e in logs if e.get("check") == "database"]
    assert failed and "db.internal" in failed[0]["error"]


def test_readyz_ready():
    app = FastAPI()
    app.include_router(health_router({"database": lambda: None}))
    client = TestClient(app)
    assert client.get("/readyz").json() == {"status": "ready"}
    assert client.get("/healthz").json() == {"status": "ok"}
