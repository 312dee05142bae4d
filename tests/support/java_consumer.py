"""The Java consumer of tests/interop/java (the CloudEvents SDK's CloudEventDeserializer), built with
Maven and run on the topics given: per topic, how many messages the SDK read and how many it refused."""

from __future__ import annotations

import json
import shutil
import subprocess

from tests.support.stack import REPO

PROJECT = REPO / "tests" / "interop" / "java"


def build() -> None:
    assert shutil.which("mvn") and shutil.which("java"), "Maven and Java 17 are needed for the Java consumer"
    subprocess.run(["mvn", "-B", "-q", "compile"], cwd=PROJECT, check=True, timeout=600)


def count(bootstrap: str, topics: list[str]) -> dict[str, dict]:
    out = subprocess.run(["java", "-cp", "target/classes:target/lib/*", "followthrough.interop.CountEvents",
                          bootstrap, *topics], cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    return {row["topic"]: row for row in rows}
