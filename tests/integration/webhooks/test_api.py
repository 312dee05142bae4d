"""The subscription API of the webhooks service (docs/contract.md §8.3) on a SQLite database: admin
only, the key shown once and never listed, a bad `url` or `types` a 422 naming the field, rotation with
both keys signing during the overlap, attempts newest first, a replay by time range, the metrics; and
the events as stored for sending: the public view, once per CloudEvent id."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from fastapi.testclient import TestClient

from schemas.binding import read_message
from schemas.events import PANELS, RECOMMENDATIONS
from services.common import tokens
from services.common.clock import SimulatedClock, utcnow
from services.common.db import make_engine
from services.webhooks.adapters.secretbox import SecretBox
from services.webhooks.adapters.store import SqlStore
from services.webhooks.app import web_app
from services.webhooks.bootstrap import migrate
from services.webhooks.settings import WebhooksSettings
from services.webhooks.usecases.metrics import GAUGES
from services.webhooks.usecases.record_events import RecordEvents
from services.webhooks.usecases.subscriptions import Subscriptions
from tests.support.events import agreed_event, panel_event

T0 = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.timezone.utc)
KEY = "a-test-signing-key-long-enough-for-the-webhooks-box"
RECEIVER = "https://crm.example.org/followthrough"


class Api:
    def __init__(self, tmp_path, allow_private: bool = False) -> None:
        self.clock = SimulatedClock(T0)
        settings = WebhooksSettings(database_url=f"sqlite:///{tmp_path / 'webhooks.db'}",
                                    followthrough_secret_key=KEY, followthrough_webhooks_allow_private=allow_private)
        self.engine = make_engine(settings.database_url)
        migrate(self.engine)
        self.store = SqlStore(self.engine, SecretBox(KEY))
        self.woken = 0
        app = web_app(settings, self.clock)
        app.state.engine = self.engine
        app.state.subscriptions = Subscriptions(self.store, self.clock, allow_private=allow_private,
                                                overlap=dt.timedelta(hours=24), wake=self._wake)
        GAUGES.watch(self.store, self.clock)
        self.client = TestClient(app, raise_server_exceptions=False)
        self.admin = self.token("admin")

    def _wake(self) -> None:
        self.woken += 1

    def token(self, role: str) -> dict[str, str]:
        token = tokens.issue(self.engine, role, email=f"{role}@example.org", all_panels=role == "facilitator",
                             now=T0 - dt.timedelta(days=1))
        return {"Authorization": f"Bearer {token}"}

    def post(self, path: str = "", body: dict | None = None, headers: dict | None = None):
        return self.client.post(f"/api/v1/subscriptions{path}", json=body, headers=self.admin if headers is None
                                else headers)

    def get(self, path: str = ""):
        return self.client.get(f"/api/v1/subscriptions{path}", headers=self.admin)

    def subscribe(self, **extra) -> dict:
        r = self.post(body={"url": RECEIVER, "types": ["*"], "signature": "v1", **extra})
        assert r.status_code == 201, r.text
        return r.json()


@pytest.fixture
def api(tmp_path):
    made = Api(tmp_path)
    yield made
    made.engine.dispose()


def test_only_an_admin_may_touch_subscriptions(api):
    body = {"url": RECEIVER, "types": ["*"], "signature": "v1"}
    assert api.post(body=body, headers={}).status_code == 401
    r = api.post(body=body, headers=api.token("facilitator"))
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    assert api.client.get("/api/v1/subscriptions").status_code == 401


def test_a_v1_subscription_shows_its_secret_once_and_never_again(api):
    made = api.subscribe(owner_email="crm-team@example.org")
    assert made["id"].startswith("sub_") and made["state"] == "confirming"
    assert made["secret"].startswith("whsec_") and made["signature"] == "v1"
    assert made["url"] == RECEIVER and made["types"] == ["*"] and made["owner_email"] == "crm-team@example.org"
    assert api.woken == 1  # its handshake is due at once
    listed = api.get().json()["subscriptions"]
    assert [s["id"] for s in listed] == [made["id"]]
    one = api.get(f"/{made['id']}").json()
    for shown in (json.dumps(listed), json.dumps(one)):
        assert made["secret"] not in shown and "secret" not in shown and "key" not in shown.replace("_key_", "")
    assert one["state"] == "confirming"


def test_a_v1a_subscription_shows_its_public_key(api):
    made = api.subscribe(signature="v1a")
    assert made["public_key"].startswith("whpk_") and "secret" not in made
    sub = api.store.get(made["id"])
    assert api.store.signing_keys(sub, T0)[0].startswith("whsk_")  # we keep the private half, sealed


@pytest.mark.parametrize("url, says", [
    ("ftp://crm.example.org/hook", "scheme"),
    ("https://user:pw@crm.example.org/hook", "password"),
    ("https://crm.example.org/" + "a" * 2001, "too long"),
    ("http://127.0.0.1:8080/hook", "not a public address"),
    ("http://10.1.2.3/hook", "not a public address"),
    ("http://[::ffff:127.0.0.1]/hook", "not a public address"),
    ("http://169.254.169.254/latest/meta-data", "not a public address"),
    ("http://localhost/hook", "not a public address"),
    ("not a url", ""),
])
def test_a_bad_url_is_a_422_naming_url_and_the_fix(api, url, says):
    r = api.post(body={"url": url, "types": ["*"], "signature": "v1"})
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["errors"][0]["field"] == "url", problem
    assert says in json.dumps(problem)
    assert api.get().json()["subscriptions"] == []


def test_private_addresses_are_allowed_when_the_setting_says_so(tmp_path):
    api = Api(tmp_path, allow_private=True)
    assert api.subscribe(signature="v1")["url"] == RECEIVER
    r = api.post(body={"url": "http://127.0.0.1:9999/hook", "types": ["*"]})
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("types, says", [
    ([], "empty"),
    (["notice.requested"], "not a public event type"),
    (["commitment.opened", "no.such"], "no.such"),
])
def test_types_must_be_public_event_types(api, types, says):
    r = api.post(body={"url": RECEIVER, "types": types, "signature": "v1"})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "types" and says in r.text


def test_an_unknown_signature_scheme_is_a_422_naming_signature(api):
    r = api.post(body={"url": RECEIVER, "types": ["*"], "signature": "v2"})
    assert r.status_code == 422 and "signature" in r.json()["errors"][0]["field"]


def test_rotation_shows_a_new_secret_and_both_sign_during_the_overlap(api):
    made = api.subscribe()
    r = api.post(f"/{made['id']}/rotate")
    assert r.status_code == 200, r.text
    rotated = r.json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != made["secret"]
    assert rotated["previous_key_signs_until"] == (T0 + dt.timedelta(hours=24)).isoformat()
    sub = api.store.get(made["id"])
    assert api.store.signing_keys(sub, T0) == [rotated["secret"], made["secret"]]  # the new one first
    assert api.store.signing_keys(sub, T0 + dt.timedelta(hours=25)) == [rotated["secret"]]
    assert api.post("/sub_nonesuch/rotate").status_code == 404


def test_delete_stops_it_and_a_second_delete_is_a_404(api):
    made = api.subscribe()
    assert api.client.delete(f"/api/v1/subscriptions/{made['id']}", headers=api.admin).status_code == 204
    assert api.get(f"/{made['id']}").status_code == 404
    assert api.client.delete(f"/api/v1/subscriptions/{made['id']}", headers=api.admin).status_code == 404
    assert api.get().json()["subscriptions"] == []


def _record(api, *events: dict) -> None:
    recorder = RecordEvents(api.store, api.clock)
    items = [read_message(json.dumps(e).encode(), [], topic=PANELS if e["type"].startswith("panel.")
                          else RECOMMENDATIONS) for e in events]
    recorder.handle_many(items)


def test_attempts_newest_first_and_a_replay_by_time_range(api):
    made = api.subscribe()
    uid = uuid.uuid4().hex[:8]
    _record(api, panel_event(uid), agreed_event(uid, T0.date() + dt.timedelta(days=30)))
    first = api.store.next_delivery(made["id"])
    api.store.record_attempt(made["id"], None, at=T0, status=204, result="handshake", reason="agreed", duration_ms=4)
    api.store.record_attempt(made["id"], first.event_seq, at=T0 + dt.timedelta(seconds=1), status=500,
                             result="retry", reason="HTTP 500", duration_ms=12)
    attempts = api.get(f"/{made['id']}/attempts").json()["attempts"]
    assert [(a["result"], a["status"], a["event_id"]) for a in attempts] == [
        ("retry", 500, first.event_id), ("handshake", 204, None)]
    assert attempts[0]["reason"] == "HTTP 500" and attempts[0]["duration_ms"] == 12
    assert len(api.get(f"/{made['id']}/attempts?limit=1").json()["attempts"]) == 1
    assert api.get("/sub_nonesuch/attempts").status_code == 404

    api.store.mark_delivered(made["id"], first.event_seq, T0)
    start, end = T0 - dt.timedelta(days=3650), T0 + dt.timedelta(days=3650)  # the events' times are the real now
    r = api.post(f"/{made['id']}/replay", {"from": start.isoformat(), "to": end.isoformat()})
    assert r.status_code == 200, r.text
    assert r.json()["replayed"] == 2
    assert api.store.next_delivery(made["id"]).event_id == first.event_id  # from the first again, same id
    r = api.post(f"/{made['id']}/replay", {"from": T0.isoformat(), "to": start.isoformat()})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "to"
    r = api.post(f"/{made['id']}/replay", {"from": "2026-05-01T00:00:00", "to": T0.isoformat()})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "from"


def test_events_are_stored_once_as_their_public_view(api):
    made = api.subscribe()
    uid = uuid.uuid4().hex[:8]
    panel, agreed = panel_event(uid), agreed_event(uid, T0.date() + dt.timedelta(days=30))
    _record(api, panel, agreed)
    _record(api, panel)  # redelivered by Kafka: nothing new
    first = api.store.next_delivery(made["id"])
    body = first.body.decode()
    assert "@" not in body
    sent = json.loads(body)
    assert sent["id"] == panel["id"] == first.event_id and sent["type"] == "panel.registered"
    assert sent["specversion"] == "1.0" and sent["subject"] == panel["subject"]
    assert sent["data"]["panel"]["slug"] == f"panel-{uid}"
    assert "email" not in json.dumps(sent["data"]["panel"]["police_lead"])
    api.store.mark_delivered(made["id"], first.event_seq, T0)
    second = api.store.next_delivery(made["id"])
    assert second.event_id == agreed["id"] and "@" not in second.body.decode()
    api.store.mark_delivered(made["id"], second.event_seq, T0)
    assert api.store.next_delivery(made["id"]) is None


def test_the_metrics_name_the_backlog_and_the_disabled(api):
    made = api.subscribe()
    api.store.confirmed(made["id"], None)
    uid = uuid.uuid4().hex[:8]
    _record(api, panel_event(uid))
    api.clock.set(utcnow() + dt.timedelta(minutes=5))  # the event's time is the real now
    text = api.client.get("/metrics").text
    line = next(x for x in text.splitlines()
                if x.startswith(f'followthrough_webhook_oldest_undelivered_seconds{{subscription="{made["id"]}"}}'))
    assert float(line.split()[-1]) > 0
    assert "followthrough_webhook_subscriptions_disabled 0.0" in text
    assert 'followthrough_webhook_deliveries_total{result="delivered"}' in text
    api.store.disable(made["id"], "HTTP 410", api.clock.now())
    assert "followthrough_webhook_subscriptions_disabled 1.0" in api.client.get("/metrics").text
