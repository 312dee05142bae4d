"""Limits count the person behind the reverse proxy, and hold across replicas: real tracker
processes on one PostgreSQL database and Kafka. The proxy is a second loopback address
(127.0.0.2, like an ingress that is not on the tracker's own host) or 127.0.0.1 itself; the
people behind it are told apart by X-Forwarded-For."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import sqlalchemy as sa

from services.common.clock import london_today
from services.common.db import make_engine
from tests.support.api import issue_token
from tests.support.events import agreed_event, panel_code, panel_event, publish
from tests.support.procs import wait_until

PROXY = "127.0.0.2"
WRONG = {"verdict": "confirmed", "comment": "", "access_code": "guess"}


def _kind(r: httpx.Response) -> str:
    """The problem's kind (the last part of its type URI), or the status for other answers."""
    return r.json()["type"].rsplit("/", 1)[-1] if r.status_code == 429 else str(r.status_code)


@pytest.fixture
def world(stack, database_url, uid, prefix):
    """A commitment of the test panel marked done, so the panel's verdict is awaited."""
    def make(*trackers):
        publish(stack.bootstrap, panel_event(uid), prefix)
        event = agreed_event(uid, london_today() + dt.timedelta(days=30))
        publish(stack.bootstrap, event, prefix)
        cid = event["data"]["commitment"]["id"]
        urls = [f"{t.url}/api/v1/commitments/{cid}" for t in trackers]
        wait_until(lambda: all(httpx.get(u).status_code == 200 for u in urls))
        owner = {"Authorization": f"Bearer {issue_token(database_url, 'owner', f'o-{uid}@example.org')}"}
        r = httpx.post(f"{urls[0]}/updates", headers=owner,
                       json={"note": "Done", "done": True, "evidence_note": "List", "summary": "Briefed."})
        assert r.status_code == 200, r.text
        return cid, urls
    return make


def _extra_days(database_url: str, cid: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT confirm_extra_days FROM tracker_commitments WHERE id = :id"),
                                {"id": cid}).scalar()
    finally:
        engine.dispose()


def test_a_member_with_the_right_code_is_not_locked_out_by_a_stranger_behind_the_same_proxy(
        services, world, database_url, uid):
    tracker = services("tracker", FOLLOWTHROUGH_TRUSTED_PROXIES=PROXY)
    cid, (url,) = world(tracker)
    with httpx.Client(transport=httpx.HTTPTransport(local_address=PROXY)) as proxy:
        stranger, member = {"X-Forwarded-For": "192.0.2.10"}, {"X-Forwarded-For": "192.0.2.20"}
        answers = [proxy.post(f"{url}/verdict", headers=stranger, json=WRONG).status_code for _ in range(11)]
        assert answers == [403] * 10 + [429]
        r = proxy.post(f"{url}/verdict", headers=member,
                       json={"verdict": "disputed", "comment": "Not what we asked", "access_code": panel_code(uid)})
    assert r.status_code == 200, f"legit member with the RIGHT code, same proxy: {r.status_code} {r.text}"
    assert _extra_days(database_url, cid) == 1


def test_an_untrusted_peers_forwarded_for_is_ignored(services, world):
    tracker = services("tracker")  # no FOLLOWTHROUGH_TRUSTED_PROXIES: the peer is the client
    _, (url,) = world(tracker)
    answers = [httpx.post(f"{url}/verdict", json=WRONG,
                          headers={"X-Forwarded-For": f"198.51.100.{n}", "Forwarded": f"for=203.0.113.{n}"})
               for n in range(11)]
    assert [a.status_code for a in answers] == [403] * 10 + [429], \
        "a client that names a new address in each request is still one client"


def test_two_trackers_behind_one_address_limit_together_as_one(services, world, database_url, uid):
    env = {"FOLLOWTHROUGH_TRUSTED_PROXIES": "127.0.0.1", "FOLLOWTHROUGH_VERDICT_RATE_LIMIT": "12/hour"}
    a, b = services("tracker", **env), services("tracker", **env)
    cid, urls = world(a, b)

    # The per-client limit on verdicts: 12 an hour between both processes, not 12 each.
    asker = {"X-Forwarded-For": "192.0.2.30"}
    responses = [httpx.post(f"{urls[n % 2]}/verdict", headers=asker, json={}) for n in range(13)]
    answers = [_kind(r) for r in responses]
    assert answers == ["422"] * 12 + ["rate-limited"], answers
    assert 0 < int(responses[-1].headers["Retry-After"]) <= 2 * 3600

    # Wrong codes taking turns between the processes lock at 10, as on one process.
    stranger = {"X-Forwarded-For": "192.0.2.10"}
    answers = [_kind(httpx.post(f"{urls[n % 2]}/verdict", headers=stranger, json=WRONG)) for n in range(11)]
    assert answers == ["403"] * 10 + ["too-many-attempts"], answers

    # And racing: 24 at once, 12 on each process; still 10 wrong codes checked, never more.
    racer = {"X-Forwarded-For": "192.0.2.11"}
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda n: _kind(httpx.post(f"{urls[n % 2]}/verdict", headers=racer, json=WRONG)),
                                range(24)))
    assert answers.count("403") == 10, sorted(answers)

    # A member with the right code, on either process, is never locked out by the strangers.
    member = {"X-Forwarded-For": "192.0.2.20"}
    code = panel_code(uid)
    r = httpx.post(f"{urls[0]}/verdict", headers=member,
                   json={"verdict": "disputed", "comment": "Not what we asked", "access_code": code})
    assert r.status_code == 200, r.text
    r = httpx.post(f"{b.url}/api/v1/panels/panel-{uid}/pulse", headers=member,
                   json={"access_code": code, "trust": 3, "kept": "not_sure"})
    assert r.status_code == 201, r.text
    assert _extra_days(database_url, cid) == 1  # two lockouts today: the panel's window grew by one day
