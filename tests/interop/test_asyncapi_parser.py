"""schemas/asyncapi.yaml through the official AsyncAPI parser (@asyncapi/parser, on Node): no error,
no warning, and every message declares the Kafka `content-type` header it carries."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from schemas.events import EVENT_TYPES

STRUCTURED = "application/cloudevents+json; charset=UTF-8"  # the CloudEvents Kafka binding, structured mode

HERE = Path(__file__).parent / "asyncapi"
DOCUMENT = Path(__file__).parents[2] / "schemas" / "asyncapi.yaml"


@pytest.fixture(scope="module")
def parsed() -> list[dict]:
    assert shutil.which("node") and shutil.which("npm"), "Node.js and npm are needed for the AsyncAPI parser"
    if not (HERE / "node_modules" / "@asyncapi" / "parser").is_dir():  # the versions pinned in package-lock.json
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True,
                       timeout=600)
    out = subprocess.run(["node", "check.mjs", str(DOCUMENT)], cwd=HERE, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_the_official_parser_finds_no_error_and_no_warning(parsed):
    summary = parsed[-1]
    problems = [d for d in parsed if d.get("severity") in ("error", "warning")]
    print(f"\nAsyncAPI parser: {summary}")
    assert problems == [] and summary["summary"]["error"] == summary["summary"]["warning"] == 0
    assert summary["parsed"] and summary["messages"] == len(EVENT_TYPES)


def test_every_message_declares_the_structured_mode_content_type_header(parsed):
    messages = [d for d in parsed if "headers" in d]
    assert {m["message"] for m in messages} == set(EVENT_TYPES)
    for m in messages:
        assert m["contentType"] == "application/cloudevents+json", m["message"]
        assert m["headers"] and m["headers"]["required"] == ["content-type"], m["message"]
        assert m["headers"]["properties"]["content-type"]["const"] == STRUCTURED, m["message"]
