"""An upgrade keeps the youth panel's access code working.

Until the code's digest moved onto the panel's events, a panel's code was a row of the
shared `api_tokens` table (role `panel`), the code given at registration being
`<token id>-<secret>` and only the secret's SHA-256 kept. Here a database is left as the
release before that move left it (today's migrations stopped at that release's heads: those
migration files have not changed since), a panel is registered in it the way that release did
(its rows, and its `panel.registered` on the topic, without a digest), and then today's intake
and tracker start on it, on real Kafka: the panel's code must still be accepted by the tracker.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import time
import uuid

import httpx
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from services.common.db import make_engine
from services.common.migrate import COMMON
from services.intake.app import MIGRATIONS as INTAKE_MIGRATIONS
from services.tracker.bootstrap import MIGRATIONS as TRACKER_MIGRATIONS
from tests.support.topics import produce, read_all

# The heads of the release whose panels' codes lived in api_tokens (main at 14cd24a).
OLD_HEADS = (
    (COMMON, "common_alembic_version", "f859f4d230e0"),
    (INTAKE_MIGRATIONS, "intake_alembic_version", "71250ce193be"),
    (TRACKER_MIGRATIONS, "tracker_alembic_version", "d53cd894de03"),
)


def _migrate_to(engine: sa.Engine, where, version_table: str, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(where))
    with engine.begin() as conn:
        cfg.attributes.update(connection=conn, version_table=version_table, metadata=sa.MetaData())
        command.upgrade(cfg, revision)


def _register_the_old_way(engine: sa.Engine, uid: str) -> tuple[str, str, dict]:
    """What the old intake's create_panel and the old tracker's consumer left: (slug, code, event)."""
    slug = f"old-panel-{uid}"
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(12)
    panel = {"slug": slug, "name": "Old panel", "area": "Old area",
             "police_lead": {"role": "Inspector", "email": f"lead-{uid}@example.org"},
             "escalation": {"supervisor": f"s-{uid}@example.org", "senior_lead": f"l-{uid}@example.org",
                            "board": f"b-{uid}@example.org"}}
    event = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "followthrough/intake",
             "type": "panel.registered", "time": dt.datetime.now(dt.timezone.utc).isoformat(), "subject": slug,
             "datacontenttype": "application/json", "dataschema": "urn:followthrough:schema:panel.registered:v1",
             "data": {"panel": panel}}
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO api_tokens (id, secret_sha256, role, panel) VALUES (:i, :d, 'panel', :p)"),
                     {"i": token_id, "d": hashlib.sha256(secret.encode()).hexdigest(), "p": slug})
        conn.execute(sa.text("INSERT INTO intake_panels (slug, name, area, contact_email, police_lead, escalation)"
                             " VALUES (:slug, :name, :area, NULL, :lead, :ladder)"),
                     {**panel, "lead": json.dumps(panel["police_lead"]), "ladder": json.dumps(panel["escalation"])})
        conn.execute(sa.text("INSERT INTO intake_outbox (event_id, topic, key, payload, published_at)"
                             " VALUES (:id, 'followthrough.panels', :key, :payload, now())"),
                     {"id": event["id"], "key": slug, "payload": json.dumps(event)})
        conn.execute(sa.text("INSERT INTO tracker_panels (slug, name, area, police_lead, escalation)"
                             " VALUES (:slug, :name, :area, :lead, :ladder)"),
                     {**panel, "lead": json.dumps(panel["police_lead"]), "ladder": json.dumps(panel["escalation"])})
        conn.execute(sa.text("INSERT INTO tracker_processed_events (event_id) VALUES (:id)"), {"id": event["id"]})
    return slug, f"{token_id}-{secret}", event


def _wait(what: str, done, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"{what} did not happen in {timeout} s"
        time.sleep(0.3)


def test_a_panel_registered_before_the_digest_moved_keeps_its_access_code(services, stack, database_url, topic,
                                                                          uid):
    engine = make_engine(database_url)
    for where, version_table, revision in OLD_HEADS:
        _migrate_to(engine, where, version_table, revision)
    slug, code, registered = _register_the_old_way(engine, uid)
    panels_topic = topic("followthrough.panels")
    produce(stack.bootstrap, panels_topic, slug.encode(), json.dumps(registered).encode())

    services("intake")  # today's migrations run here
    tracker = services("tracker")

    def outbox_drained() -> bool:
        with engine.connect() as conn:
            return not conn.execute(sa.text("SELECT count(*) FROM intake_outbox WHERE published_at IS NULL")).scalar()
    _wait("intake publishing its outbox", outbox_drained)
    on_topic = [json.loads(m.value) for m in read_all(stack.bootstrap, panels_topic)]
    print("events on", panels_topic, json.dumps(on_topic, indent=1))

    def tracker_read_them_all() -> bool:
        with engine.connect() as conn:
            seen = set(conn.execute(sa.text("SELECT event_id FROM tracker_processed_events")).scalars())
        return {e["id"] for e in on_topic} <= seen
    _wait("the tracker reading every panel event", tracker_read_them_all)

    r = httpx.post(f"{tracker.url}/api/v1/panels/{slug}/pulse", json={"access_code": code, "trust": 4, "kept": "yes"})
    assert r.status_code == 201, r.text
    r = httpx.post(f"{tracker.url}/api/v1/panels/{slug}/pulse",
                   json={"access_code": code[:-1] + ("A" if code[-1] != "A" else "B"), "trust": 4, "kept": "yes"})
    assert r.status_code == 403 and r.json()["type"].endswith("/wrong-access-code"), r.text
    with engine.connect() as conn:  # intake holds the digest from now on (a rotation replaces it there)
        kept = conn.execute(sa.text("SELECT access_code_sha256 FROM intake_panels WHERE slug = :s"),
                            {"s": slug}).scalar()
    assert kept == hashlib.sha256(code.partition("-")[2].encode()).hexdigest()
