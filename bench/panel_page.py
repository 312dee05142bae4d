"""4. Panel page: p99 latency at 50 concurrent clients for a 200-commitment
panel, against a static file of the same size served by the same server.
Goal: ratio <= 3.   Run: .venv/bin/python bench/panel_page.py"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from fastapi.staticfiles import StaticFiles

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402
from schemas import parse_event  # noqa: E402
from schemas.policy import PolicyFile  # noqa: E402
from services.common.db import make_engine  # noqa: E402
from services.tracker.adapters.unitofwork import SqlStorage  # noqa: E402
from services.tracker.app import create_app  # noqa: E402
from services.tracker.bootstrap import migrate  # noqa: E402
from services.tracker.settings import TrackerSettings  # noqa: E402
from services.tracker.usecases.ingest import Handlers  # noqa: E402
from tests.support.events import agreed_event, panel_event  # noqa: E402


def main() -> None:
    h.start_stack()
    db, prefix = h.new_database(), h.new_prefix()
    engine = make_engine(db)
    migrate(engine)
    handlers = Handlers(SqlStorage(engine), PolicyFile())
    handlers.handle(*parse_event(json.dumps(panel_event("bench")).encode()))
    today = dt.date.today()
    handlers.handle_many([parse_event(json.dumps(agreed_event("bench", today + dt.timedelta(days=d - 100))).encode())
                          for d in range(200)])
    app = create_app(TrackerSettings(database_url=db, kafka_bootstrap_servers=h.BOOTSTRAP,
                                     followthrough_topic_prefix=prefix, followthrough_scan_interval=3600,
                                     followthrough_page_rate_limit="1000000/second"))  # load from one client
    port = h.free_port()
    static_dir = Path(tempfile.mkdtemp())
    app.mount("/bench-static", StaticFiles(directory=static_dir), name="bench-static")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                                           proxy_headers=False))
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    h.wait_ready(url)
    page = httpx.get(f"{url}/panels/panel-bench").content
    (static_dir / "page.html").write_bytes(page)
    print(f"panel page: {len(page):,} bytes, 200 commitments")
    static = h.wrk(f"{url}/bench-static/page.html")
    panel = h.wrk(f"{url}/panels/panel-bench")
    server.should_exit = True
    time.sleep(1)
    print(f"static: {static}\npanel:  {panel}")
    ratio = panel["p99"] / static["p99"]
    h.report("panel page, 50 clients", "static file of the same size, p99 ms", static["p99"],
             "panel page with 200 commitments, p99 ms", panel["p99"], ratio, "<= 3", ratio <= 3)


if __name__ == "__main__":
    main()
