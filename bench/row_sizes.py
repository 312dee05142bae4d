"""Bytes per row, measured: for each followthrough table in the bench server's
databases, the table's total size on disk (heap, TOAST and indexes) over its
rows, from the database holding the most rows of it. deploy/README.md's sizing
table multiplies these.   Run: .venv/bin/python bench/row_sizes.py"""

from __future__ import annotations

import sys
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402

TABLES = ("tracker_commitments", "tracker_recommendations", "tracker_timeline", "tracker_notices", "tracker_outbox",
          "tracker_processed_events", "intake_recommendations", "intake_outbox")


def main() -> None:
    h.start_stack()
    with psycopg.connect(h.ADMIN_URL, autocommit=True) as admin:
        names = [r[0] for r in admin.execute("SELECT datname FROM pg_database WHERE datname LIKE 'b\\_%'")]
    best: dict[str, tuple[int, int]] = {}
    for name in names:
        with psycopg.connect(h.ADMIN_URL.rsplit("/", 1)[0] + "/" + name, autocommit=True) as conn:
            for table in TABLES:
                if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None:
                    continue
                rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                if rows > best.get(table, (0, 0))[0]:
                    conn.execute(f"VACUUM ANALYZE {table}")
                    size = conn.execute("SELECT pg_total_relation_size(%s)", (table,)).fetchone()[0]
                    best[table] = (rows, size)
    for table, (rows, size) in best.items():
        print(f"{table}: {size / rows:,.0f} bytes/row ({rows:,} rows, {size / 1e6:,.1f} MB with indexes)")


if __name__ == "__main__":
    main()
