"""One log format for structlog and the standard library's loggers: JSON unless a person
watches a terminal, and always JSON with FOLLOWTHROUGH_LOG_FORMAT=json."""

from __future__ import annotations

import io
import json
import logging
import re

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


def test_piped_output_is_json_from_structlog_and_from_uvicorn():
    out = io.StringIO()
    logs.configure("intake", stream=out)
    logging.getLogger("uvicorn.error").info("Uvicorn running on %s", "http://127.0.0.1:8001")
    structlog.get_logger().info("recommendation.recorded", panel="p1")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["event"] == "Uvicorn running on http://127.0.0.1:8001" and first["logger"] == "uvicorn.error"
    assert first["service"] == "intake" and first["level"] == "info" and first["timestamp"]
    assert second["event"] == "recommendation.recorded" and second["panel"] == "p1"


def test_a_terminal_gets_short_lines_unless_json_is_asked_for():
    out = Tty()
    logs.configure("tracker", stream=out)
    logging.getLogger("apscheduler").warning("Run time of job was missed")
    line = out.getvalue().strip()
    assert "Run time of job was missed" in line and not line.startswith("{")
    out = Tty()
    logs.configure("tracker", fmt="json", stream=out)
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


def test_a_supervised_service_writes_short_lines_without_the_time_the_supervisor_prints():
    out = io.StringIO()  # a pipe to the supervisor, which shows it to a person
    logs.configure("tracker", stream=out, supervised=True)
    structlog.get_logger().info("scan.pass", due=3)
    line = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue()).strip()  # without the colours
    assert not line.startswith("{") and "scan.pass" in line
    assert not any(ch.isdigit() for ch in line.split("scan.pass")[0])  # no timestamp before the event


def test_the_log_format_is_not_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("FOLLOWTHROUGH_LOG_FORMAT", "console")
    out = io.StringIO()
    logs.configure("tracker", stream=out)
    structlog.get_logger().info("scan.pass")
    assert json.loads(out.getvalue())["event"] == "scan.pass"


def test_uvicorn_quietened_earlier_in_the_process_logs_again_once_configured():
    import uvicorn  # a uvicorn.Config with log_level="warning" (a test server, say) sets its loggers' levels

    uvicorn.Config(lambda *_: None, log_level="warning")
    out = io.StringIO()
    logs.configure("tracker", fmt="json", stream=out)
    logging.getLogger("uvicorn.error").info("Uvicorn running on %s", "http://127.0.0.1:8002")
    assert json.loads(out.getvalue())["event"] == "Uvicorn running on http://127.0.0.1:8002"
