"""8. Audit cost: one auditor pass over 1,000 due commitments (each owing a notice) with N more
commitments active but not due, against the same pass with none of them (the baseline, measured in
the same run). The pass reads the due window by its index, so the ratio should stay near 1. Context:
the whole portfolio's read (`owed_notices`, what every pass did before) over the same database.

Only PostgreSQL is needed (started through deploy/local unless `FT_BENCH_PG_PORT` already answers).

Run: .venv/bin/python bench/audit_cost.py [N]"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
from contextlib import closing

import sqlalchemy as sa

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402
from bench import portfolio  # noqa: E402
from schemas.policy import PolicyFile  # noqa: E402
from services.common.clock import SYSTEM, london_today  # noqa: E402
from services.common.db import make_engine  # noqa: E402
from services.tracker.usecases.auditor import Auditor, owed_notices  # noqa: E402

PASSES = 5
DUE = 1000


def fill(url: str, quiet: int) -> None:
    """DUE commitments three days overdue (due today, each owing notices) and `quiet` agreed ten
    days ago and due in two months or more: active, owing nothing until their first update falls
    due in 20 days (their `next_action_on`)."""
    portfolio.fill(url, DUE + quiet, DUE, quiet_agreed_days_ago=10, quiet_next_in_days=20)


def postgres() -> None:
    with closing(socket.socket()) as s:
        if s.connect_ex(("127.0.0.1", h.PG_PORT)) == 0:
            return
    subprocess.run([str(h.REPO / "deploy" / "local" / "postgres.sh"), "start"], env=h._env(), check=True,
                   stdout=subprocess.DEVNULL)


def drop(url: str) -> None:
    """The two databases are the run's own: gone after it, so runs on a shared server add nothing."""
    engine = sa.create_engine(h.ADMIN_URL.replace("postgresql://", "postgresql+psycopg://"),
                              isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    engine.dispose()


def passes(url: str) -> tuple[float, float, int]:
    """(median seconds of an audit pass, seconds of a whole-portfolio read, notices owed)."""
    engine = make_engine(url)
    auditor = Auditor(engine, PolicyFile(), SYSTEM, scan_interval_s=60)
    auditor.run()  # the first pass remembers since when; the later ones are the steady state
    times = []
    for _ in range(PASSES):
        start = time.perf_counter()
        auditor.run()
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    owed = len(owed_notices(engine, PolicyFile(), london_today()))
    full = time.perf_counter() - start
    engine.dispose()
    return statistics.median(times), full, owed


def main() -> None:
    extra = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    postgres()
    base_url, big_url = h.new_database(), h.new_database()
    try:
        fill(base_url, 0)
        fill(big_url, extra)
        base, base_full, base_owed = passes(base_url)
        big, big_full, big_owed = passes(big_url)
    finally:
        drop(base_url)
        drop(big_url)
    assert base_owed == big_owed, (base_owed, big_owed)  # the quiet rows owe nothing: the same work
    print(f"baseline: audit pass, {DUE:,} due ({base_owed:,} notices owed) and no other commitment: "
          f"{base * 1000:.0f} ms (median of {PASSES})")
    print(f"result: audit pass, {DUE:,} due and {extra:,} active but not due: {big * 1000:.0f} ms")
    print(f"ratio: {big / base:.2f}")
    print(f"context: whole-portfolio read (every pass before): {base_full * 1000:.0f} ms -> "
          f"{big_full * 1000:.0f} ms ({big_full / base_full:.1f}x)")


if __name__ == "__main__":
    main()
