"""A rolling upgrade: replicas of two releases run side by side on the same topics.

For each service, a consumer of this code reads (a) events as the previous release's producers
made them (recorded bytes, `tests/support/ce656fd_events.json`) and (b) events of a next release
that added an optional field to `data` (at the top and inside an object) and a CloudEvents
extension attribute, within the same `dataschema` version. Both are applied; nothing goes to the
DLQ. The events exchanged are printed and kept in test-artifacts/rolling/.
"""

from __future__ import annotations

import json
import time

import sqlalchemy as sa

from schemas.binding import HEADERS
from schemas.events import EVENT_TYPES
from services.common.db import make_engine
from tests.conftest import ARTIFACTS
from tests.support.generations import PREVIOUS, next_release
from tests.support.topics import produce, read_all


def _publish(bootstrap: str, topic, events: list[dict]) -> None:
    for e in events:
        produce(bootstrap, topic(EVENT_TYPES[e["type"]].topic), e["subject"].encode(), json.dumps(e).encode(),
                headers=list(HEADERS))


def _wait(what: str, done, stack, topic, timeout: float = 60.0):
    """done()'s answer once it has one; a message in the DLQ fails at once, saying why it was rejected."""
    deadline = time.monotonic() + timeout
    while not (result := done()):
        rejected = [e["data"]["reason"] for e in _dlq(stack, topic)]
        assert not rejected, f"sent to the DLQ: {rejected}"
        assert time.monotonic() < deadline, f"{what} did not happen in {timeout} s"
        time.sleep(0.3)
    return result


def _record(name: str, read: list[dict], wrote: list[dict], dlq: list) -> None:
    exchanged = {"read": read, "wrote": wrote, "dlq": dlq}
    out = ARTIFACTS / "rolling"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(exchanged, indent=1))
    print(f"--- {name} read:", json.dumps(read, indent=1), f"--- {name} wrote:", json.dumps(wrote, indent=1),
          f"--- {name} dlq: {dlq}", sep="\n")


def _dlq(stack, topic) -> list[dict]:
    return [json.loads(m.value) for m in read_all(stack.bootstrap, topic("followthrough.dlq"))]


def _events(stack, topic, name: str) -> list[dict]:
    return [json.loads(m.value) for m in read_all(stack.bootstrap, topic(name))]


def test_the_tracker_reads_the_previous_and_the_next_release(services, stack, database_url, topic):
    services("tracker")
    sent = PREVIOUS["tracker"]["old"] + [next_release(e) for e in PREVIOUS["tracker"]["base"]]
    _publish(stack.bootstrap, topic, sent)

    engine = make_engine(database_url)
    wanted = {e["data"]["commitment"]["id"] for e in sent if e["type"] == "recommendation.agreed"}

    def opened() -> bool:  # panels and recommendations are separate topics, read by separate agents
        with engine.connect() as conn:
            return (wanted <= set(conn.execute(sa.text("SELECT id FROM tracker_commitments")).scalars())
                    and len(conn.execute(sa.text("SELECT slug FROM tracker_panels")).all()) >= 2)
    _wait("both commitments opening and both panels stored", opened, stack, topic)
    with engine.connect() as conn:
        panels = dict(conn.execute(sa.text("SELECT slug, name FROM tracker_panels")).all())
    assert panels == {"rolling-old": "Rolling panel (old)", "rolling-base": "Rolling panel (base)"}

    def published() -> list[dict] | None:
        found = [e for e in _events(stack, topic, "followthrough.commitments") if e["type"] == "commitment.opened"]
        return found if len(found) == 2 else None
    wrote = _wait("commitment.opened for both", published, stack, topic)
    dlq = _dlq(stack, topic)
    _record("tracker", sent, wrote, dlq)
    assert {e["data"]["commitment"]["id"] for e in wrote} == wanted
    assert dlq == []


def test_intake_reads_the_previous_and_the_next_release(services, stack, database_url, topic):
    services("intake")  # its tables exist once it is ready
    sent = PREVIOUS["intake"]["old"] + [next_release(e) for e in PREVIOUS["intake"]["base"]]
    engine = make_engine(database_url)
    with engine.begin() as conn:  # the declines the panel insists on, as intake recorded them
        for e in sent:
            conn.execute(sa.text(
                "INSERT INTO intake_recommendations (id, panel, raised_on, title, detail, themes, decision,"
                " decline_reason, decline_code) VALUES (:id, 'rolling-panel', '2026-11-01', 'Fix the lights', '',"
                " '[\"safety\"]', 'declined', 'Not ours to do.', 'other')"), {"id": e["data"]["recommendation_id"]})
    _publish(stack.bootstrap, topic, sent)

    def reopened() -> bool:
        with engine.connect() as conn:
            decisions = conn.execute(sa.text("SELECT decision FROM intake_recommendations")).scalars().all()
        return decisions == ["pending", "pending"]
    _wait("both declines reopening", reopened, stack, topic)
    dlq = _dlq(stack, topic)
    _record("intake", sent, [], dlq)
    assert dlq == []


def test_the_notifier_reads_the_previous_and_the_next_release(services, stack, smtp, topic):
    services("notifier")
    sent = PREVIOUS["notifier"]["old"] + [next_release(e) for e in PREVIOUS["notifier"]["base"]]
    _publish(stack.bootstrap, topic, sent)

    def emailed() -> list | None:
        mails = smtp.snapshot()
        return mails if len(mails) >= 2 else None
    got = _wait("both emails", emailed, stack, topic)
    assert sorted(m.envelope_to[0] for m in got) == ["owner-base@example.org", "owner-old@example.org"]

    def delivered() -> list[dict] | None:
        found = [e for e in _events(stack, topic, "followthrough.deliveries") if e["type"] == "notice.delivered"]
        return found if len(found) == 2 else None
    wrote = _wait("notice.delivered for both", delivered, stack, topic)
    dlq = _dlq(stack, topic)
    _record("notifier", sent, wrote, dlq)
    assert {e["data"]["notice_id"] for e in wrote} == {e["data"]["notice"]["id"] for e in sent}
    assert dlq == []
