"""The board's report for a year of 20,000 promises: how long its HTML and its PDF take, against the
public register's HTML over the same rows, in the same run (the page the report's figures extend).
Goals: HTML < 5 s, PDF < 20 s.

A SQLite file (as the demo's), or FT_BENCH_DATABASE_URL; the rows are written through the tracker's
own ingest and use cases (tests/support/reportdata.py). Needs no broker: nothing here is published.
Run: .venv/bin/python bench/report_render.py   (FT_BENCH_COMMITMENTS=20000 by default)"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402
from services.common import i18n  # noqa: E402
from services.common.db import make_engine  # noqa: E402
from services.tracker.adapters.pdf import render_pdf  # noqa: E402
from services.tracker.bootstrap import migrate  # noqa: E402
from services.tracker.web import register, reports  # noqa: E402
from services.tracker.web.reportpdf import pdf_words  # noqa: E402
from tests.support.reportdata import seed  # noqa: E402

LOCALE = Path(__file__).resolve().parent.parent / "services" / "tracker" / "locale"


def _timed(work):
    """Wall seconds and the result; the CPU seconds of this process are printed beside it, because on a
    machine shared with other work the wall time measures the neighbours too."""
    started, cpu = time.perf_counter(), time.process_time()
    out = work()
    wall = time.perf_counter() - started
    print(f"  {wall:,.2f} s wall, {time.process_time() - cpu:,.2f} s of CPU")
    return wall, out


def main() -> None:
    n = int(os.environ.get("FT_BENCH_COMMITMENTS", "20000"))
    url = os.environ.get("FT_BENCH_DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp()) / 'report.db'}"
    engine = make_engine(url)
    migrate(engine)
    today = dt.date.today()
    seeding, _ = _timed(lambda: seed(engine, today, n, panels=20, steps_every=1))
    print(f"seeded {n:,} commitments over a year on {engine.dialect.name} in {seeding:.1f} s")
    year = str(today.year if today.month > 6 else today.year - 1)
    with i18n.speaking("en", LOCALE):
        print("/register HTML:")
        register_s, page = _timed(lambda: register._render(engine, today, 1))
        print(f"/reports/{year} HTML:")
        html_s, html = _timed(lambda: reports.render_report_html(engine, year, today))
        print(f"/reports/{year}.pdf:")
        pdf_s, pdf = _timed(lambda: render_pdf(html, pdf_words(today)))
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"register HTML: {len(page):,} bytes; report HTML: {len(html):,} bytes, {html.count('<tr'):,} table rows; "
          f"report PDF: {len(pdf):,} bytes, {pages:,} A4 pages")
    h.report(f"report for {year}, HTML", "/register HTML over the same rows, s", register_s,
             f"/reports/{year} HTML, s", html_s, html_s / register_s, "HTML < 5 s", html_s < 5)
    h.report(f"report for {year}, PDF", "/register HTML over the same rows, s", register_s,
             f"/reports/{year}.pdf, s", pdf_s, pdf_s / register_s, "PDF < 20 s", pdf_s < 20)


if __name__ == "__main__":
    main()
