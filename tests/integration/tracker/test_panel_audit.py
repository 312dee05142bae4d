"""Everything a panel said and was shown is in a hash chain (issue 31), on a real tracker process,
PostgreSQL and Kafka: replies to decisions and the trust pulse's published steps are chained, and an
edit with SQL to a stored reply, a shown count or a chain entry makes `GET /api/v1/panels/{panel}/audit`
report where; a reopening's comment is in the commitment's chain, so its edit breaks that audit."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import sqlalchemy as sa

from services.common.clock import london_today
from services.common.db import make_engine
from tests.support.api import issue_token
from tests.support.events import agreed_event, panel_code, panel_event, publish
from tests.support.procs import wait_until
from tests.support.replies import declined_event


@pytest.fixture
def world(services, stack, database_url, uid, prefix):
    """A tracker with the panel, one agreed commitment and one declined recommendation."""
    tracker = services("tracker", FOLLOWTHROUGH_VERDICT_RATE_LIMIT="10000/minute")  # one client answers 10 times
    publish(stack.bootstrap, panel_event(uid), prefix)
    agreed, declined = agreed_event(uid, london_today() + dt.timedelta(days=40)), declined_event(uid)
    for e in (agreed, declined):
        publish(stack.bootstrap, e, prefix)
    api = f"{tracker.url}/api/v1"
    for e in (agreed, declined):
        wait_until(lambda e=e: httpx.get(f"{api}/recommendations/{e['subject']}").status_code == 200)

    class World:
        slug = f"panel-{uid}"
        audit_url = f"{api}/panels/panel-{uid}/audit"
        commitment = f"{api}/commitments/{agreed['data']['commitment']['id']}"
        agreed_id, declined_id = agreed["subject"], declined["subject"]
        code = panel_code(uid)
        owner = {"Authorization": f"Bearer {issue_token(database_url, 'owner', f'o-{uid}@example.org')}"}
        engine = make_engine(database_url)

        @classmethod
        def reply(cls, rec_id: str, **body) -> None:
            r = httpx.post(f"{api}/recommendations/{rec_id}/reply", json={"access_code": cls.code, **body})
            assert r.status_code == 201, r.text

        @classmethod
        def answer(cls, trust: int, kept: str) -> None:
            r = httpx.post(f"{api}/panels/{cls.slug}/pulse", json={"access_code": cls.code, "trust": trust,
                                                                    "kept": kept})
            assert r.status_code == 201, r.text

        @classmethod
        def audit(cls) -> dict:
            r = httpx.get(cls.audit_url)
            assert r.status_code == 200, r.text
            return r.json()

        @classmethod
        def sql(cls, statement: str, **params) -> None:
            with cls.engine.begin() as conn:
                assert conn.execute(sa.text(statement), params).rowcount == 1
    yield World
    World.engine.dispose()


def _broken(audit: dict) -> tuple:
    return audit["intact"], audit.get("broken_chain"), audit.get("broken_at_seq")


def test_an_edited_reply_pulse_count_or_entry_breaks_the_panel_audit(world):
    world.reply(world.agreed_id, reply="accept", comment="Thank you, we will watch it.")
    world.reply(world.declined_id, reply="insist", comment="Our street is dark and unsafe.")
    for n in range(10):  # two published steps: at the 5th and the 10th answer
        world.answer(1 + n % 5, ("yes", "no")[n % 2])
    audit = world.audit()
    assert (audit["panel"], audit["intact"], audit["entries"], audit["chains"]) == (world.slug, True, 4, 3)

    world.sql("UPDATE tracker_replies SET comment = 'We are happy with this.' WHERE recommendation_id = :r",
              r=world.declined_id)
    assert _broken(world.audit()) == (False, f"replies:{world.declined_id}", 1)
    world.sql("UPDATE tracker_replies SET comment = 'Our street is dark and unsafe.' WHERE recommendation_id = :r",
              r=world.declined_id)
    assert world.audit()["intact"] is True

    world.sql("UPDATE tracker_pulse SET shown_trust_5 = shown_trust_5 + 3 WHERE panel = :p", p=world.slug)
    assert _broken(world.audit()) == (False, f"pulse:{world.slug}", 2)
    world.sql("UPDATE tracker_pulse SET shown_trust_5 = shown_trust_5 - 3 WHERE panel = :p", p=world.slug)

    # The entry itself, and the row to match: the hashes no longer agree.
    world.sql("UPDATE tracker_panel_chain SET entry = CAST(:e AS JSON) WHERE chain = :c AND seq = 1",
              e='{"period": "x", "counted": 5, "trust": [5, 0, 0, 0, 0], "kept": {"yes": 5, "no": 0, "not_sure": 0}}',
              c=f"pulse:{world.slug}")
    assert _broken(world.audit()) == (False, f"pulse:{world.slug}", 1)
    assert httpx.get(world.audit_url.replace(world.slug, "no-such-panel")).status_code == 404


def test_an_edited_reopening_comment_breaks_the_commitment_audit(world):
    r = httpx.post(f"{world.commitment}/updates", headers=world.owner, json={
        "note": "Done", "done": True, "evidence_note": "Attendance list", "summary": "Officers briefed."})
    assert r.status_code == 200, r.text
    r = httpx.post(f"{world.commitment}/verdict",
                   json={"verdict": "confirmed", "comment": "", "access_code": world.code})
    assert r.json()["status"] == "kept", r.text
    r = httpx.post(f"{world.commitment}/reopen", json={"comment": "Officers stopped explaining.",
                                                       "access_code": world.code})
    assert r.status_code == 200, r.text
    [reopened] = [e for e in httpx.get(world.commitment).json()["timeline"] if e["kind"] == "reopened"]
    assert reopened["entry"]["comment"] == "Officers stopped explaining."
    assert httpx.get(f"{world.commitment}/audit").json()["intact"] is True
    world.sql("UPDATE tracker_timeline SET entry = CAST(:e AS JSON) WHERE kind = 'reopened' AND commitment_id = :c",
              e='{"comment": "It is fine."}', c=world.commitment.rsplit("/", 1)[1])
    audit = httpx.get(f"{world.commitment}/audit").json()
    assert (audit["intact"], audit["broken_at_seq"]) == (False, reopened["seq"])
