"""The W3C Nu Html Checker (vnu), run on Java 17 from the Maven Central artifact
`nu.validator:validator` (deploy/local/vnu/pom.xml names the version). The jars are fetched
once with Maven into FOLLOWTHROUGH_CACHE (~/.cache/followthrough/vnu-<version>), as
deploy/local/kafka.sh does for the broker, so `make test` does not fetch them again."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.stack import REPO

POM = REPO / "deploy" / "local" / "vnu" / "pom.xml"


def _libs() -> Path:
    version = re.search(r"<vnu.version>(.+?)</vnu.version>", POM.read_text()).group(1)
    cache = Path(os.environ.get("FOLLOWTHROUGH_CACHE", Path.home() / ".cache" / "followthrough"))
    return cache / f"vnu-{version}" / "libs"


def classpath() -> str:
    """The checker's jars, fetched once."""
    libs = _libs()
    if not any(libs.glob("validator-*.jar")):
        if not shutil.which("mvn"):
            raise RuntimeError(f"Maven is missing and the vnu jars are not cached in {libs}. "
                               "Install Maven (Debian: apt-get install maven).")
        partial = libs.with_name("libs.partial")
        shutil.rmtree(partial, ignore_errors=True)
        subprocess.run(["mvn", "-B", "-q", "-f", str(POM),
                        "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies",
                        "-DincludeScope=runtime", f"-DoutputDirectory={partial}"], check=True)
        shutil.rmtree(libs, ignore_errors=True)
        partial.rename(libs)
    return f"{libs}/*"


def check(pages: dict[str, str]) -> dict[str, list[str]]:
    """Each page's errors (name -> messages with line and extract); one Java run for all."""
    with tempfile.TemporaryDirectory(prefix="vnu-") as tmp:
        paths = {}
        for i, (name, html) in enumerate(pages.items()):
            path = Path(tmp) / f"{i:03d}.html"
            path.write_text(html, encoding="utf-8")
            paths[path.as_uri().replace("file:///", "file:/")] = name
        run = subprocess.run(["java", "-cp", classpath(), "nu.validator.client.SimpleCommandLineValidator",
                              "--errors-only", "--format", "json", *(str(Path(tmp) / p) for p in
                                                                     sorted(os.listdir(tmp)))],
                             capture_output=True, text=True, timeout=300)
        report = json.loads(run.stderr or run.stdout or '{"messages": []}')
    errors: dict[str, list[str]] = {name: [] for name in pages}
    for m in report["messages"]:
        if m["type"] == "error" or m.get("subType") == "fatal":
            name = paths.get(m.get("url", ""), m.get("url", "?"))
            errors.setdefault(name, []).append(f"line {m.get('lastLine')}: {m['message']} [{m.get('extract', '')!r}]")
    return {name: found for name, found in errors.items() if found}
