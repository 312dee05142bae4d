"""One log stream, and no secret in it: real services started by the real CLI with stdout
and stderr piped. Every line either writes is JSON (uvicorn's startup and access lines,
faust, aiokafka, APScheduler and our own events alike). The signing key, the SMTP password
and the database password, set to distinctive values, appear in neither the log nor
`repr(settings)`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import httpx
import pytest
import sqlalchemy as sa

from services.common.settings import Dsn
from tests.support.services import free_port
from tests.support.stack import REPO

pytestmark = pytest.mark.stack


def _own_role(stack, database_url: str, password: str) -> str:
    """The test's database, reached as a role of its own with a distinctive password."""
    role = f"r_{uuid.uuid4().hex[:10]}"
    name = database_url.rsplit("/", 1)[1]
    engine = sa.create_engine(stack.admin_url.replace("postgresql://", "postgresql+psycopg://"),
                              isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'"))
        conn.execute(sa.text(f'ALTER DATABASE "{name}" OWNER TO {role}'))
    engine.dispose()
    return database_url.replace("followthrough:followthrough@", f"{role}:{password}@")


def _run(service: str, env: dict[str, str], drive) -> tuple[str, str]:
    """Start `service` through the CLI, pipes on stdout and stderr; `drive(url)` once ready; stop it."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", service, "--port", str(port)], cwd=REPO,
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.communicate()
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "not ready in 90 s"
            time.sleep(0.3)
        drive(url)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    return out, err


def _json_lines(text: str, stream: str) -> list[dict]:
    lines = []
    for n, line in enumerate(text.splitlines(), 1):
        try:
            lines.append(json.loads(line))
        except ValueError:
            pytest.fail(f"{stream} line {n} is not JSON: {line[:300]!r}")
    return lines


def _drive_tracker(url: str) -> None:
    assert httpx.get(f"{url}/register").status_code == 200
    assert httpx.get(f"{url}/api/v1/commitments").status_code == 200
    assert httpx.get(f"{url}/api/v1/commitments/{uuid.uuid4()}").status_code == 404
    assert httpx.get(f"{url}/commitments/{uuid.uuid4()}/respond?token=not.a.token").status_code in (403, 404)
    assert httpx.post(f"{url}/api/v1/commitments/x/verdict", json={}).status_code == 422
    time.sleep(2)  # a scheduler pass and the consumer's first polls


def test_a_service_run_through_the_cli_logs_only_json_lines(stack, service_env):
    out, err = _run("tracker", service_env, _drive_tracker)
    lines = _json_lines(out, "stdout") + _json_lines(err, "stderr")
    loggers = {line.get("logger") for line in lines}
    assert {"uvicorn.error", "uvicorn.access"} <= loggers, loggers
    access = [line["event"] for line in lines if line.get("logger") == "uvicorn.access"]
    assert any('"GET /register HTTP/1.1" 200' in a for a in access), access
    assert not any("token=" in a or "127.0.0.1:" in a for a in access), access
    assert all(line["service"] == "tracker" and line["timestamp"] and line["level"] for line in lines)
    assert any(line["event"] == "service.starting" for line in lines)


def test_no_secret_reaches_repr_or_the_startup_log(stack, database_url, service_env):
    key, smtp_password, db_password = (f"{what}-{uuid.uuid4().hex}" for what in ("key", "smtp", "dbpw"))
    env = {**service_env, "FOLLOWTHROUGH_SECRET_KEY": key, "SMTP_PASSWORD": smtp_password,
           "SMTP_USERNAME": "notifier", "DATABASE_URL": _own_role(stack, database_url, db_password)}

    from services.notifier.settings import NotifierSettings
    settings = NotifierSettings(**{k.lower(): v for k, v in env.items()})
    assert settings.smtp_password.get_secret_value() == smtp_password  # read, then hidden:
    shown = repr(settings) + str(settings) + str(settings.model_dump()) + settings.model_dump_json()
    assert isinstance(settings.database_url, Dsn)
    assert str(settings.database_url).startswith("postgresql://r_") and ":***@" in str(settings.database_url)

    out, err = _run("notifier", env, lambda url: httpx.get(f"{url}/healthz"))
    lines = _json_lines(out, "stdout") + _json_lines(err, "stderr")
    starting = next(line for line in lines if line["event"] == "service.starting")
    assert ":***@" in starting["settings"]["database_url"] and starting["settings"]["smtp_password"] == "**********"
    for secret in (key, smtp_password, db_password):
        assert secret not in shown, "repr(settings) shows a secret"
        assert secret not in out + err, "the log shows a secret"
