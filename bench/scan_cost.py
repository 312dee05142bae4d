"""2. Scan cost: one scheduler pass over 1,000,000 commitments with 1,000 due,
against two baselines:

- same work (the goal's baseline): psycopg claiming the same 1,000 due rows
  FOR UPDATE and writing, in one transaction of batched (pipelined) INSERTs and
  one batched UPDATE, exactly the notice, timeline and outbox rows the pass
  wrote (copied from a pass over a twin database) and the rows' next dates.
  Goal: ratio >= 0.5;
- one pass over 10,000 commitments with the same 1,000 due (the old baseline):
  cost must follow what is due, not what exists. Goal: ratio <= 1.5.

Run: .venv/bin/python bench/scan_cost.py [BIG]"""

from __future__ import annotations

import sys
import time

import psycopg

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402
from bench import portfolio  # noqa: E402
from schemas.policy import PolicyFile  # noqa: E402
from services.common.clock import london_today, utcnow  # noqa: E402
from services.common.db import make_engine  # noqa: E402
from services.tracker.usecases.notices import NoticeRecorder  # noqa: E402
from services.tracker.usecases.scan import Scanner  # noqa: E402

DUE = 1000


def fill(url: str, total: int) -> None:
    """`total` commitments (and their recommendations); DUE of them due today."""
    portfolio.fill(url, total, DUE)


def one_pass(url: str, name: str = "scan") -> tuple[float, int]:
    engine = make_engine(url)
    scanner = Scanner(engine, PolicyFile(), NoticeRecorder("http://bench", lambda c, e, h: "http://bench/respond"))
    with h.profiling(name):
        start = time.perf_counter()
        result = scanner.run(utcnow())
        elapsed = time.perf_counter() - start
    return elapsed, len(result.notices)


WRITTEN = {  # what a pass writes, by table: copied from the twin, written again by the baseline
    "tracker_notices": "id, recommendation_id, commitment_id, key, kind, level, late, recipients, reason, decided_at",
    "tracker_timeline": "commitment_id, seq, at, kind, entry, prev_hash, hash",
    "tracker_outbox": "event_id, topic, key, payload",
}


def same_work(twin: str, url: str) -> float:
    """Seconds for psycopg to claim the due rows and write what the twin's pass wrote, batched."""
    with psycopg.connect(twin) as conn:
        written = {t: conn.execute(f"SELECT {cols} FROM {t}").fetchall() for t, cols in WRITTEN.items()}
        moves = conn.execute("SELECT next_action_on, id FROM tracker_commitments WHERE next_action_on > %s "
                             "AND id IN (SELECT commitment_id FROM tracker_timeline)", (london_today(),)).fetchall()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        start = time.perf_counter()
        with conn.transaction():
            cur.execute("SELECT * FROM tracker_commitments WHERE next_action_on <= %s AND parked_at IS NULL "
                        "ORDER BY next_action_on LIMIT %s FOR UPDATE SKIP LOCKED", (london_today(), DUE))
            cur.fetchall()
            for table, cols in WRITTEN.items():
                marks = ", ".join(["%s"] * len(cols.split(",")))
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})",
                                [tuple(psycopg.types.json.Json(v) if isinstance(v, (dict, list)) else v
                                       for v in row) for row in written[table]])
            cur.executemany("UPDATE tracker_commitments SET next_action_on = %s WHERE id = %s", moves)
        return time.perf_counter() - start


def main() -> None:
    big = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    h.start_stack()
    small_db, big_db, twin_db, base_db = (h.new_database() for _ in range(4))
    for db in (small_db, twin_db, base_db):
        fill(db, 10_000)
    t0 = time.perf_counter()
    fill(big_db, big)
    print(f"filled {big:,} commitments in {time.perf_counter() - t0:.0f} s")
    one_pass(twin_db, "scan-twin")
    base_s = same_work(twin_db, base_db)
    small_s, small_n = one_pass(small_db, "scan-small")
    big_s, big_n = one_pass(big_db)
    assert small_n == big_n > 0, (small_n, big_n)  # the same due commitments decide the same notices
    print(f"{DUE} due commitments, {big_n} notices decided in each pass")
    h.line(f"scan pass, {DUE} due of {big:,}", {"10k-pass": big_n / small_s, "same-work": big_n / base_s},
           "pass", big_n / big_s, unit="notices/s", goal=0.5, against="same-work")
    h.line(f"scan cost, {DUE} due", {"10k-pass": small_s}, f"{big:,}-pass", big_s, unit="seconds, lower is better",
           goal=1 / 1.5, against="10k-pass", higher_is_better=False)


if __name__ == "__main__":
    main()
