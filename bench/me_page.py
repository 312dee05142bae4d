"""`/me` for a board member with 2,000 commitments in the force: the first page's size (goal < 50 KB)
and its p95 latency over 200 requests one after another (goal < 300 ms), beside a baseline served by
the same server in the same run: `/me` for a lead with one commitment.
Run: .venv/bin/python bench/me_page.py  (the PostgreSQL of FT_BENCH_PG_PORT; no broker needed)"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402
from bench.portfolio import fill  # noqa: E402
from services.common.clock import SYSTEM  # noqa: E402
from services.common.db import make_engine  # noqa: E402
from services.tracker.bootstrap import bootstrap  # noqa: E402
from services.tracker.settings import TrackerSettings  # noqa: E402
from tests.support.events import agreed_event, panel_event  # noqa: E402
from tests.support.person import PERSON_HEADER, feed, staff_app  # noqa: E402

FORCE, LATE, REQUESTS = 2_000, 300, 200
BOARD, SOLO = "b@example.org", "solo@example.org"  # bench/portfolio.py's ladder; one more lead with one


def _timings(url: str, email: str) -> tuple[list[float], int]:
    times, size = [], 0
    with httpx.Client(headers={PERSON_HEADER: email}, timeout=30) as client:
        for _ in range(10):  # warm up: connections, caches, the first query plans
            client.get(url)
        for _ in range(REQUESTS):
            t0 = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.status_code
            size = len(r.content)
    return times, size


def _wait(url: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise TimeoutError(url)


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def main() -> None:
    subprocess.run([str(h.REPO / "deploy" / "local" / "postgres.sh"), "start"], env=h._env(), check=True,
                   stdout=subprocess.DEVNULL)
    db = h.new_database()
    fill(db, FORCE, LATE)
    engine = make_engine(db)
    tracker = bootstrap(TrackerSettings(database_url=db, followthrough_secret_key="bench-" + "k" * 32), SYSTEM,
                        engine=engine)
    feed(tracker, panel_event("solo"), agreed_event("solo", SYSTEM.today().replace(year=SYSTEM.today().year + 1),
                                                    owner=SOLO))
    engine.dispose()
    # The server in a process of its own, so the client's own Python does not share its interpreter.
    port = h.free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", db, str(port)], cwd=h.REPO)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{url}/me")
        base, base_size = _timings(f"{url}/me", SOLO)
        board, board_size = _timings(f"{url}/me", BOARD)
        t0 = time.perf_counter()
        csv_rows = httpx.get(f"{url}/me.csv", headers={PERSON_HEADER: BOARD}, timeout=60).text.count("\n") - 1
        csv_ms = (time.perf_counter() - t0) * 1000
    finally:
        server.terminate()
        server.wait(15)
    print(f"/me, 1 commitment:       {base_size:,} bytes; p50 {statistics.median(base):.1f} ms, "
          f"p95 {p95(base):.1f} ms")
    print(f"/me, board of {FORCE:,}: first page {board_size:,} bytes (goal < 50,000: "
          f"{'met' if board_size < 50_000 else 'NOT met'}); p50 {statistics.median(board):.1f} ms, "
          f"p95 {p95(board):.1f} ms (goal < 300: {'met' if p95(board) < 300 else 'NOT met'})")
    h.report(f"/me, {REQUESTS} requests one after another", "/me with 1 commitment, p95 ms", p95(base),
             f"/me for a board member with {FORCE:,} commitments, p95 ms", p95(board), p95(board) / p95(base),
             "p95 < 300 ms", p95(board) < 300)
    print(f"/me.csv, board of {FORCE:,}: {csv_rows:,} rows in {csv_ms:.0f} ms (one request)")


def serve(db: str, port: int) -> None:
    """`/me` over the bench's database, with the tests' stand-in for sign-in (a header names the person)."""
    engine = make_engine(db)
    tracker = bootstrap(TrackerSettings(database_url=db, followthrough_secret_key="bench-" + "k" * 32), SYSTEM,
                        engine=engine, run_migrations=False)
    uvicorn.run(staff_app(tracker), host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        main()
