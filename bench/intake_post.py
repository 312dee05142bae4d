"""5. Intake: the rate of POST /api/v1/recommendations against a trivial JSON
endpoint (GET /healthz) on the same server, 50 concurrent clients.
Goal: ratio >= 0.3.   Run: .venv/bin/python bench/intake_post.py"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402
from services.common import tokens  # noqa: E402
from services.common.db import make_engine  # noqa: E402
from services.common.migrate import upgrade_common  # noqa: E402


def main() -> None:
    h.start_stack()
    db, prefix = h.new_database(), h.new_prefix()
    engine = make_engine(db)
    upgrade_common(engine)
    token = tokens.issue(engine, "admin", "bench@example.org")
    with h.service("intake", {"DATABASE_URL": db, "FOLLOWTHROUGH_TOPIC_PREFIX": prefix}) as url:
        auth = {"Authorization": f"Bearer {token}"}
        ladder = {"supervisor": "s@example.org", "senior_lead": "l@example.org", "board": "b@example.org"}
        httpx.post(f"{url}/api/v1/panels", headers=auth, json={
            "slug": "bench", "name": "Bench", "area": "Bench", "escalation": ladder,
            "police_lead": {"role": "Inspector", "email": "lead@example.org"}}).raise_for_status()
        today = dt.date.today()
        body = json.dumps({
            "panel": "bench", "raised_on": today.isoformat(), "title": "Explain every stop", "themes": ["respect"],
            "decision": "agreed", "commitment": {"action": "Brief officers", "done_means": "All briefed",
                                                 "owner": {"role": "Inspector", "email": "o@example.org"},
                                                 "due": (today + dt.timedelta(days=60)).isoformat()}})
        script = Path(tempfile.mkdtemp()) / "post.lua"
        script.write_text(
            'wrk.method = "POST"\n'
            f"wrk.body = {json.dumps(body)}\n"
            'wrk.headers["Content-Type"] = "application/json"\n'
            f'wrk.headers["Authorization"] = "Bearer {token}"\n')
        trivial = h.wrk(f"{url}/healthz")
        post = h.wrk(f"{url}/api/v1/recommendations", script=str(script))
    print(f"healthz: {trivial}\npost:    {post}")
    assert post["non2xx"] == 0, "some POSTs failed"
    ratio = post["rps"] / trivial["rps"]
    h.report("intake POST rate, 50 clients", "GET /healthz on the same server, requests/s", trivial["rps"],
             "POST /api/v1/recommendations (validate, store, outbox), requests/s", post["rps"], ratio, ">= 0.3",
             ratio >= 0.3)


if __name__ == "__main__":
    main()
