"""The three services share nothing but the topics: each on its own database (three
PostgreSQL databases on one server), a panel registered at intake, its commitment tracked,
its escalation emailed, and the panel's verdict accepted by the tracker with the code intake
made, which the tracker knows only from the panel's event."""

from __future__ import annotations

import datetime as dt
import time

import httpx
import sqlalchemy as sa

from services.common.clock import london_today
from services.common.db import make_engine
from tests.support.api import agreed_body, issue_token, panel_body


def test_each_service_on_its_own_database_keeps_the_whole_promise(services, stack, smtp, uid):
    dbs = {name: stack.new_database() for name in ("intake", "tracker", "notifier")}
    intake = services("intake", DATABASE_URL=dbs["intake"])
    tracker = services("tracker", DATABASE_URL=dbs["tracker"])
    services("notifier", DATABASE_URL=dbs["notifier"])
    admin = {"Authorization": f"Bearer {issue_token(dbs['intake'])}"}

    r = httpx.post(f"{intake.url}/api/v1/panels", json=panel_body(uid), headers=admin)
    assert r.status_code == 201, r.text
    code = r.json()["access_code"]
    r = httpx.post(f"{intake.url}/api/v1/recommendations", headers=admin,
                   json=agreed_body(uid, london_today() - dt.timedelta(days=2)))
    cid = r.json()["commitment_id"]

    supervisor = f"supervisor-{uid}@example.org"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not [m for m in smtp.snapshot() if supervisor in m.envelope_to]:
        time.sleep(0.2)
    assert [m for m in smtp.snapshot() if supervisor in m.envelope_to], "the overdue notice never arrived"

    owner = {"Authorization": f"Bearer {issue_token(dbs['tracker'], 'owner', f'owner-{uid}@example.org')}"}
    r = httpx.post(f"{tracker.url}/api/v1/commitments/{cid}/updates", headers=owner,
                   json={"note": "Done", "done": True, "evidence_note": "List", "summary": "Briefed."})
    assert r.status_code == 200, r.text
    r = httpx.post(f"{tracker.url}/api/v1/commitments/{cid}/verdict",
                   json={"verdict": "confirmed", "comment": "Yes, they explain now", "access_code": code})
    assert r.status_code == 200 and r.json()["status"] == "kept", r.text

    def tables(url: str) -> set[str]:
        return set(sa.inspect(make_engine(url)).get_table_names())
    mine = {name: {t for t in tables(url) if not t.startswith(("api_", "common_"))} for name, url in dbs.items()}
    for name, owned in mine.items():
        assert owned and all(t.startswith(name) for t in owned), (name, owned)
