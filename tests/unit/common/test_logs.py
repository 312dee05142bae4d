"""One log format for structlog and the standard library's loggers: JSON unless a person
watches a terminal, and always JSON with FOLLOWTHROUGH_LOG_FORMAT=json."""

from __future__ import annotations

import io
import json
import logging

import pytest
import structlog

from services.common import logs


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _restore():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def test_piped_output_is_json_from_structlog_and_from_uvicorn(monkeypatch):
    monkeypatch.delenv("FOLLOWTHROUGH_LOG_FORMAT", raising=False)
    monkeypatch.delenv("HONCHO_PROCESS_NAME", raising=False)
    out = io.StringIO()
    logs.configure("intake", stream=out)
    logging.getLogger("uvicorn.error").info("Uvicorn running on %s", "http://127.0.0.1:8001")
    structlog.get_logger().info("recommendation.recorded", panel="p1")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["event"] == "Uvicorn running on http://127.0.0.1:8001" and first["logger"] == "uvicorn.error"
    assert first["service"] == "intake" and first["level"] == "info" and first["timestamp"]
    assert second["event"] == "recommendation.recorded" and second["panel"] == "p1"


def test_a_terminal_gets_short_lines_unless_json_is_asked_for(monkeypatch):
    monkeypatch.delenv("HONCHO_PROCESS_NAME", raising=False)
    monkeypatch.delenv("FOLLOWTHROUGH_LOG_FORMAT", raising=False)
    out = Tty()
    logs.configure("tracker", stream=out)
    logging.getLogger("apscheduler").warning("Run time of job was missed")
    line = out.getvalue().strip()
    assert "Run time of job was missed" in line and not line.startswith("{")
    monkeypatch.setenv("FOLLOWTHROUGH_LOG_FORMAT", "json")
    out = Tty()
    logs.configure("tracker", stream=out)
    logging.getLogger("apscheduler").warning("Run time of job was missed")
    assert json.loads(out.getvalue())["logger"] == "apscheduler"


def test_the_kafka_clients_info_lines_stay_quiet():
    out = io.StringIO()
    logs.configure("tracker", fmt="json", stream=out)
    logging.getLogger("aiokafka.consumer").info("Joined group")
    logging.getLogger("faust").warning("Something worth a look")
    (line,) = out.getvalue().splitlines()
    assert json.loads(line)["event"] == "Something worth a look"


def test_the_access_log_keeps_neither_query_strings_nor_client_addresses():
    out = io.StringIO()
    logs.configure("tracker", fmt="json", stream=out)
    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "203.0.113.9:5123", "GET",
                                             "/commitments/c1/respond?token=signed.secret", "1.1", 200)
    line = json.loads(out.getvalue())
    assert line["event"] == '- - "GET /commitments/c1/respond HTTP/1.1" 200' and line["logger"] == "uvicorn.access"
