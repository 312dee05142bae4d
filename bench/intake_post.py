"""5. Intake: POST /api/v1/recommendations at 50 concurrent clients (wrk),
against two baselines on the same database server:

- same work (the goal's baseline): 50 psycopg clients, each with its own
  connection, doing the transaction a POST does: look the token up, then in
  one transaction read the panel, insert the recommendation row and its
  outbox event (the very row and payload intake wrote, with new ids). Goal:
  ratio >= 0.5 and the POST's p99 <= 100 ms;
- GET /healthz on the same server (the old baseline, context: no database).

Run: .venv/bin/python bench/intake_post.py [SECONDS]"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402
from services.common import tokens  # noqa: E402
from services.common.db import make_engine  # noqa: E402
from services.common.migrate import upgrade_common  # noqa: E402

CLIENTS = 50


async def _client(url: str, token_id: str, template: dict, until: float, latencies: list[float]) -> None:
    async with await psycopg.AsyncConnection.connect(url) as conn:
        while time.perf_counter() < until:
            start = time.perf_counter()
            await (await conn.execute("SELECT * FROM api_tokens WHERE id = %s", (token_id,))).fetchone()
            await conn.commit()
            async with conn.transaction():
                await (await conn.execute("SELECT * FROM intake_panels WHERE slug = %s", ("bench",))).fetchone()
                rec_id, commitment_id, event_id = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
                r = template["rec"]
                await conn.execute(
                    "INSERT INTO intake_recommendations (id, panel, raised_on, title, detail, themes, decision, "
                    "commitment_id, commitment) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (rec_id, r["panel"], r["raised_on"], r["title"], r["detail"], json.dumps(r["themes"]),
                     r["decision"], commitment_id, json.dumps({**r["commitment"], "id": commitment_id})))
                payload = template["payload"].replace(template["rec_id"], rec_id).replace(
                    template["commitment_id"], commitment_id).replace(template["event_id"], event_id)
                await conn.execute("INSERT INTO intake_outbox (event_id, topic, key, payload) VALUES (%s, %s, %s, %s)",
                                   (event_id, template["topic"], rec_id, payload))
            latencies.append((time.perf_counter() - start) * 1000)


def same_work(url: str, token_id: str, template: dict, seconds: int) -> dict[str, float]:
    latencies: list[float] = []

    async def run() -> float:
        start = time.perf_counter()
        await asyncio.gather(*(_client(url, token_id, template, start + seconds, latencies) for _ in range(CLIENTS)))
        return time.perf_counter() - start

    elapsed = asyncio.run(run())
    q = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / elapsed, "p50": q[49], "p99": q[98]}


def template_of(url: str) -> dict:
    """One recommendation intake wrote, and its outbox event: what the baseline writes again."""
    with psycopg.connect(url) as conn:
        rec = conn.execute("SELECT id, panel, raised_on, title, detail, themes, decision, commitment_id, commitment "
                           "FROM intake_recommendations LIMIT 1").fetchone()
        event = conn.execute("SELECT event_id, topic, payload FROM intake_outbox WHERE key = %s", (rec[0],)).fetchone()
    keys = ("id", "panel", "raised_on", "title", "detail", "themes", "decision", "commitment_id", "commitment")
    return {"rec": dict(zip(keys, rec, strict=True)), "rec_id": rec[0], "commitment_id": rec[7], "event_id": event[0],
            "topic": event[1], "payload": event[2]}


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
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
        trivial = h.wrk(f"{url}/healthz", seconds=seconds, connections=CLIENTS)
        post = h.wrk(f"{url}/api/v1/recommendations", seconds=seconds, connections=CLIENTS, script=str(script))
    assert post["non2xx"] == 0, "some POSTs failed"
    base = same_work(db, token.split("_", 2)[1], template_of(db), seconds)
    print(f"healthz:   {trivial}\nsame-work: {base}\npost:      {post}")
    h.line(f"intake POST, {CLIENTS} clients", {"healthz": trivial["rps"], "same-work": base["rps"]}, "POST",
           post["rps"], unit="requests/s", goal=0.5, against="same-work")
    met = "met" if post["p99"] <= 100 else "NOT met"
    print(f"intake POST latency, {CLIENTS} clients (ms, p50/p99): healthz {trivial['p50']:.0f}/{trivial['p99']:.0f}  "
          f"same-work {base['p50']:.0f}/{base['p99']:.0f}  | POST {post['p50']:.0f}/{post['p99']:.0f}  "
          f"| goal POST p99 <= 100 ms: {met}", flush=True)


if __name__ == "__main__":
    main()
