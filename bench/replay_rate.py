"""6. Replay: `followthrough replay` of N events (agreed recommendations) into an
empty database, events/s from start to finish (reading the topics, ordering,
applying), against the tracker's live ingest rate on the same topic (its first
M events, from its first stored row). Goal: ratio >= 0.5.
Run: .venv/bin/python bench/replay_rate.py [N=100000] [M=20000]"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402
from bench.tracker_ingest import produce, tracker  # noqa: E402
from services.common.db import make_engine  # noqa: E402
from services.tracker.bootstrap import migrate  # noqa: E402


def replay(prefix: str) -> float:
    url = h.new_database()
    migrate(make_engine(url))
    env = {**os.environ, "DATABASE_URL": url, "KAFKA_BOOTSTRAP_SERVERS": h.BOOTSTRAP,
           "FOLLOWTHROUGH_TOPIC_PREFIX": prefix}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", "replay"], cwd=h.REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    spy = h.profile(proc.pid, "replay")
    out, _ = proc.communicate()
    elapsed = time.perf_counter() - start
    if spy is not None:
        spy.wait(60)
    if proc.returncode:
        raise RuntimeError(out)
    print(out.strip().splitlines()[-1])
    return elapsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    h.start_stack()
    prefix = h.new_prefix()
    t0 = time.perf_counter()
    produce(prefix, n)
    print(f"produced {n:,} events in {time.perf_counter() - t0:.0f} s")
    ingest, _ = tracker(prefix, m)
    seconds = replay(prefix)
    h.line(f"replay, {n:,} events", {"ingest": ingest}, "replay", n / seconds, unit="events/s", goal=0.5,
           against="ingest")


if __name__ == "__main__":
    main()
