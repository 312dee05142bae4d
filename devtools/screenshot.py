"""Retake the README's screenshot, docs/images/panel-page.png: a youth panel's page with the
demo's example in it, in Debian's Chromium through Playwright.

    .venv/bin/python -m devtools.screenshot [--kafka HOST:PORT]

It starts its own intake and tracker on free ports, with a fresh SQLite file and a topic prefix
of their own, on the broker `--kafka` names (a running `make demo`'s, or the tests' broker),
loads the example through intake's API as `make demo` does, and stops them afterwards."""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "images" / "panel-page.png"
PANEL = "mentoring-cohort"
VIEWPORT = {"width": 960, "height": 1400}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def services(env: dict[str, str]) -> Iterator[dict[str, str]]:
    """intake and the tracker, each in its own process, until the block ends."""
    urls, procs = {}, []
    try:
        for name in ("intake", "tracker"):
            port = free_port()
            urls[name] = f"http://127.0.0.1:{port}"
            procs.append(subprocess.Popen([sys.executable, "-m", "services.cli", name, "--port", str(port)],
                                          env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT))
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_for_page(url: str, timeout: float = 60) -> None:
    """Until the panel's page shows the example (the tracker consumed it from the topics)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(url).status_code == 200:
            return
        time.sleep(0.5)
    sys.exit(f"{url} did not answer in {timeout} s")


def shoot(url: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        sys.exit("Debian's chromium is missing: `make system-deps` installs it")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(url)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.screenshot", description=__doc__.split("\n\n")[0])
    parser.add_argument("--kafka", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": args.kafka, "DATABASE_URL": f"sqlite:///{tmp}/shot.db",
               "FOLLOWTHROUGH_TOPIC_PREFIX": f"shot-{uuid.uuid4().hex[:8]}.", "FOLLOWTHROUGH_SCAN_INTERVAL": "1",
               "FOLLOWTHROUGH_LOG_FORMAT": "json"}
        with services(env) as urls:
            # The loader reads where the services are from the environment when it is imported.
            os.environ.update(env, INTAKE_URL=urls["intake"], TRACKER_URL=urls["tracker"])
            from devtools.demo import load

            load.wait_ready(urls["intake"])
            load.wait_ready(urls["tracker"])
            load.load()
            time.sleep(3)  # a few scan passes: the late ones show their escalations
            page = f"{urls['tracker']}/panels/{PANEL}"
            wait_for_page(page)
            shoot(page, args.out)
    print(f"wrote {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
