"""2. Scan cost: one scheduler pass over 1,000,000 commitments against one
over 10,000, with the same 1,000 due in both. Cost must follow what is due,
not what exists. Goal: ratio <= 1.5.   Run: .venv/bin/python bench/scan_cost.py [BIG]"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import time
import uuid

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402
from schemas.policy import PolicyFile  # noqa: E402
from services.common.clock import london_today, utcnow  # noqa: E402
from services.common.db import make_engine  # noqa: E402
from services.tracker.bootstrap import migrate  # noqa: E402
from services.tracker.domain import Policy  # noqa: E402
from services.tracker.usecases.notices import NoticeRecorder  # noqa: E402
from services.tracker.usecases.scan import Scanner  # noqa: E402

DUE = 1000


def fill(url: str, total: int) -> None:
    """COPY `total` commitments (and their recommendations); DUE of them due today."""
    engine = make_engine(url)
    migrate(engine)
    today = london_today()
    policy = json.dumps(Policy().model_dump(mode="json"))
    ladder = json.dumps({"supervisor": "s@example.org", "senior_lead": "l@example.org", "board": "b@example.org"})
    recs, rows = io.StringIO(), io.StringIO()
    for i in range(total):
        cid, rid = uuid.uuid4(), uuid.uuid4()
        due_soon = i < DUE
        due = today - dt.timedelta(days=3) if due_soon else today + dt.timedelta(days=60 + i % 200)
        nxt = today if due_soon else today + dt.timedelta(days=30)
        recs.write(f"{rid}\tbench\t{today - dt.timedelta(days=40)}\tRecommendation {i}\t\t[]\tagreed\n")
        rows.write(f"{cid}\t{rid}\tbench\tAction {i}\tDone\tInspector\to{i % 50}@example.org\t{ladder}\t"
                   f"{today - dt.timedelta(days=30)}\t{due}\t{due}\t1\t30\t{today - dt.timedelta(days=30)}\topen\t"
                   f"0\t0\t0\t{policy}\t{nxt}\n")
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            with cur.copy("COPY tracker_recommendations (id, panel, raised_on, title, detail, themes, decision) "
                          "FROM STDIN") as copy:
                copy.write(recs.getvalue())
            with cur.copy("COPY tracker_commitments (id, recommendation_id, panel, action, done_means, owner_role, "
                          "owner_email, escalation, agreed_on, due, original_due, due_version, update_every_days, "
                          "ladder_since, status, update_count, disputes, completions, policy, next_action_on) "
                          "FROM STDIN") as copy:
                copy.write(rows.getvalue())
        raw.commit()
        with raw.cursor() as cur:
            cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def one_pass(url: str) -> tuple[float, int]:
    engine = make_engine(url)
    scanner = Scanner(engine, PolicyFile(), NoticeRecorder("http://bench", lambda c, e: "http://bench/respond"))
    start = time.perf_counter()
    result = scanner.run(utcnow())
    return time.perf_counter() - start, len(result.notices)


def main() -> None:
    big = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    h.start_stack()
    small_db, big_db = h.new_database(), h.new_database()
    fill(small_db, 10_000)
    t0 = time.perf_counter()
    fill(big_db, big)
    print(f"filled {big:,} commitments in {time.perf_counter() - t0:.0f} s")
    small_s, small_n = one_pass(small_db)
    big_s, big_n = one_pass(big_db)
    assert small_n == big_n > 0, (small_n, big_n)  # the same due commitments decide the same notices
    print(f"{DUE} due commitments, {big_n} notices decided in each pass")
    ratio = big_s / small_s
    h.report(f"scan cost, {DUE} due", "one pass over 10,000 commitments, seconds", small_s,
             f"one pass over {big:,} commitments, seconds", big_s, ratio, "<= 1.5", ratio <= 1.5)


if __name__ == "__main__":
    main()
