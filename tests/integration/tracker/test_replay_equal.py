"""`followthrough replay` restores everything the public sees: a tracker that has seen every kind of
event is rebuilt from its topics into an empty database, and every public output of the two, served by
the tracker's own app on the same clock, is equal byte for byte (the few normalisations below say why
each is needed).

The events come from the time machine's stories (`tests/support/time_machine.py`, run by the real
commands, handlers and scans as in `test_time_machine.py`), plus what those stories lack: the panel's
trust pulse in three months (a step shown with answers since, a month below the first step, the current
month), accept and counter replies beside the stories' insists, and a second panel.
`FT_REPLAY_STORIES` sets how many stories (each on its own topics and two fresh PostgreSQL databases)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid

import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, example, given, settings

from schemas import DeliveryEvent, Panel, PanelEvent, make_event, parse_event
from schemas.models import Contact
from services.common.db import make_engine
from services.common.outbox import make_producer
from services.common.topics import ensure_topics
from services.tracker import app as tracker_app
from services.tracker.adapters.store import commitments, notices, outbox, recommendations
from services.tracker.bootstrap import bootstrap, migrate
from services.tracker.domain import TransitionError
from services.tracker.settings import TrackerSettings
from services.tracker.usecases import pulse, replay, replies
from services.tracker.usecases.errors import UseCaseError
from tests.integration.tracker import test_time_machine as tm
from tests.support.time_machine import (
    DAYS,
    PANEL,
    START,
    Action,
    CommitmentStory,
    PendingStory,
    ReplyStory,
    world,
)
from tests.support.topics import produce

STORIES = int(os.environ.get("FT_REPLAY_STORIES", "3"))  # the generated stories, beside EVERY_KIND
OTHER = "panel-tm-other"
LAST = DAYS + 20  # the day both trackers are read on: after every story's last step
# (day, panel, answers): a shown step of 10 with 2 answers since; a month below the first step; the
# current month with a step of 5 and 2 since, so its "so far" differs from its shown count.
PULSE = ((40, PANEL, 12), (41, OTHER, 5), (75, PANEL, 3), (LAST - 1, PANEL, 7), (LAST - 1, OTHER, 6))
KEPT = ("yes", "no", "not_sure")
# A story with every kind of change: updates, an extension asked for and approved, a handover, a declared
# delay, done, confirmed, reopened, done again and disputed, a withdrawal, a lapse, a pending
# recommendation declined and one left to its response ladder, a decline insisted on twice.
EVERY_KIND = (3, [
    CommitmentStory(record_day=0, due_offset=60, agreed_before=0, update_every_days=14, actions=(
        Action(5, "update"), Action(10, "extend", 150), Action(12, "approve"), Action(20, "handover"),
        Action(30, "declare"), Action(40, "done"), Action(45, "confirm"), Action(50, "reopen"),
        Action(70, "done"), Action(75, "dispute"))),
    CommitmentStory(record_day=0, due_offset=-30, agreed_before=10, update_every_days=30,
                    actions=(Action(15, "withdraw"),)),
    CommitmentStory(record_day=2, due_offset=20, agreed_before=0, update_every_days=7, actions=()),
    CommitmentStory(record_day=1, due_offset=30, agreed_before=5, update_every_days=30,
                    actions=(Action(10, "done"), Action(12, "confirm"))),
    PendingStory(record_day=3, raised_before=5, respond_within_days=20, declined_on=None),
    PendingStory(record_day=3, raised_before=5, respond_within_days=20, declined_on=8),
    ReplyStory(record_day=0, raised_before=10, respond_within_days=5, declined_on=3, insists=((1, 100), (0, None))),
], [0, 10, 30, 50, 60, 90, 150, 250, 399])
INPUT_TOPIC = {"panel": "followthrough.panels", "recommendation": "followthrough.recommendations",
               "notice": "followthrough.deliveries"}
EVERY_TYPE = {  # what EVERY_KIND publishes, each reply and some notices by kind
    "panel.registered", "recommendation.recorded", "recommendation.agreed", "recommendation.declined",
    "recommendation.replied:accept", "recommendation.replied:insist", "recommendation.replied:counter",
    "commitment.updated", "commitment.extended", "commitment.completed", "commitment.confirmed",
    "commitment.disputed", "commitment.reopened", "commitment.withdrawn", "commitment.escalated",
    "notice.requested:handover", "notice.requested:dispute", "notice.requested:reopened",
    "notice.requested:extension_request", "notice.requested:early_warning", "notice.requested:insisted",
    "notice.delivered", "notice.failed", "pulse.recorded"}


class Inputs:
    """The events intake would have published: recorded as the stories hand them to the tracker."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def __call__(self, event_type: str, subject: str, data, day: int) -> tuple:
        event = make_event(event_type, subject, data, source="time-machine", time=tm._at(day, 9))
        self.events.append(event)
        return parse_event(json.dumps(event).encode())


def _pulse_steps(story: tm.Story) -> None:
    """Anonymous answers with every trust value and kept answer, dated by the story's clock."""
    for day, panel, answers in PULSE:
        def answer(day=day, panel=panel, answers=answers):
            story.clock.set_day(START + dt.timedelta(days=day), 11)
            for n in range(answers):
                pulse.record(story.tracker.storage, story.clock, panel, 1 + (n * 3 + day) % 5, KEPT[n % 3])
        story.steps.append((day, 3, answer))


def _replies(story: tm.Story, day: int) -> None:
    """Accept, counter and insist on whatever decisions the story left unanswered (the refused skipped)."""
    story.clock.set_day(START + dt.timedelta(days=day), 15)
    with story.engine.connect() as conn:
        recs = conn.execute(sa.select(recommendations.c.id).order_by(recommendations.c.id)).scalars().all()
    kinds = [dict(reply="accept", comment="Thank you"), dict(reply="counter", comment="Or this", title="A term"),
             dict(reply="insist", comment="We insist")]
    used = dict.fromkeys(range(len(kinds)), 0)
    for rid in recs:
        for k in sorted(used, key=lambda k: (used[k], k)):  # the least used first: every kind, whatever the ids
            try:
                replies.reply(story.tracker.storage, story.clock, story.tracker.policies, story.scanner.recorder,
                              rid, **kinds[k])
                used[k] += 1
                break
            except (UseCaseError, TransitionError):  # this decision does not take this reply: try the next
                continue


def _deliveries(inputs: Inputs, story: tm.Story, day: int) -> None:
    """The notifier's word on the first notices: one delivered, one given up on."""
    with story.engine.connect() as conn:
        found = conn.execute(sa.select(notices.c.id, notices.c.recipients).order_by(notices.c.id).limit(2)).all()
    for (notice_id, recipients), kind in zip(found, ("notice.delivered", "notice.failed"), strict=False):
        data = DeliveryEvent(notice_id=notice_id, recipient=recipients[0], attempts=1,
                             error="mailbox full" if kind == "notice.failed" else None)
        story.handlers.handle(*inputs(kind, str(notice_id), data, day))


def _other_panel(inputs: Inputs, story: tm.Story) -> None:
    panel = Panel(slug=OTHER, name="Another panel", area="Elsewhere",
                  police_lead=Contact(role="Inspector", email="other-lead@example.org"), escalation=story.ladder)
    story.handlers.handle(*inputs("panel.registered", OTHER, PanelEvent(panel=panel), -1))


def _live(url: str, w, inputs: Inputs) -> tm.Story:
    engine = make_engine(url)
    migrate(engine)
    batch, items, scan_days = w
    story = tm.Story(engine, batch)
    _other_panel(inputs, story)
    story.add_world(items, scan_days)
    _pulse_steps(story)
    story.steps.append((DAYS - 1, 4, lambda: _replies(story, DAYS - 1)))
    story.steps.append((DAYS - 1, 5, lambda: _deliveries(inputs, story, DAYS - 1)))
    story.run()
    return story


def _publish(bootstrap_servers: str, prefix: str, inputs: Inputs, engine) -> list[str]:
    """The inputs on intake's topics, and the tracker's outbox relayed as the running service does;
    returns the type of each event published."""
    ensure_topics(bootstrap_servers, prefix=prefix)
    for event in inputs.events:
        topic = INPUT_TOPIC[event["type"].partition(".")[0]]
        produce(bootstrap_servers, prefix + topic, event["subject"].encode(), json.dumps(event).encode())
    relay = bootstrap(TrackerSettings(kafka_bootstrap_servers=bootstrap_servers,
                                      followthrough_topic_prefix=prefix), engine=engine,
                      run_migrations=False).relay()
    producer = make_producer(bootstrap_servers, prefix)
    while relay.relay_once(producer):
        pass
    producer.close()
    with engine.connect() as conn:
        relayed = conn.execute(sa.select(outbox.c.payload)).scalars().all()
    return [_kind(e) for e in inputs.events] + [_kind(json.loads(p)) for p in relayed]


def _kind(event: dict) -> str:
    """The event's type; a reply's with the reply (accept, insist, counter), a notice's with its kind."""
    data = event["data"]
    detail = data.get("reply") or (data.get("notice") or {}).get("kind")
    return f"{event['type']}:{detail}" if detail else event["type"]


def _client(engine, clock) -> TestClient:
    """The tracker's own app and routes on this database and clock (its lifespan, which starts the
    consumers and the scheduler, is not entered: nothing may change either database while read)."""
    settings = TrackerSettings(followthrough_page_rate_limit="100000/minute")  # a few hundred GETs from one client
    app = tracker_app.create_app(settings, clock)
    tracker = bootstrap(settings, clock, engine=engine, run_migrations=False)
    tracker_app._expose(app, tracker, tracker.relay())
    return TestClient(app, raise_server_exceptions=True)


# The one normalisation, and why the two trackers must differ there: each form's CSRF token is signed
# over a random nonce per visitor (a form's protection, not the tracker's state).
VOLATILE = [(re.compile(r'name="csrf" value="[^"]*"'), 'name="csrf" value=""')]


def _normal(text: str) -> str:
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def _outputs(client: TestClient, ids: list[str], recs: list[str]) -> dict[str, str]:
    paths = ["/api/v1/commitments?limit=500", "/register", "/register.csv"]
    for slug in (PANEL, OTHER):
        paths += [f"/panels/{slug}", f"/panels/{slug}?page=2", f"/panels/{slug}/feed.xml",
                  f"/panels/{slug}/deadlines.ics", f"/panels/{slug}/session", f"/api/v1/panels/{slug}/audit"]
    paths += [f"/api/v1/commitments/{cid}" for cid in ids] + [f"/api/v1/commitments/{cid}/audit" for cid in ids]
    paths += [f"/api/v1/recommendations/{rid}" for rid in recs]
    out = {}
    for path in paths:
        r = client.get(path)
        out[path] = f"{r.status_code} {r.headers.get('content-type')}\n{_normal(r.text)}"
    return out


def _diff(left: str, right: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(left, right, strict=False)) if a != b), min(len(left), len(right)))
    return f"live …{left[max(0, at - 200):at + 200]!r}\nreplayed …{right[max(0, at - 200):at + 200]!r}"


# No shrinking: a story takes a while, and the first failing one is reported as it was.
@settings(max_examples=STORIES, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(world())
@example(EVERY_KIND)
def test_a_replayed_tracker_shows_every_public_output_as_the_original(stack, monkeypatch, w):
    inputs = Inputs()
    monkeypatch.setattr(tm, "_event", inputs)
    live_url, empty_url = stack.new_database(), stack.new_database()
    story = _live(live_url, w, inputs)
    prefix = f"r{uuid.uuid4().hex[:8]}."
    types = _publish(stack.bootstrap, prefix, inputs, story.engine)
    published = len(types)
    if w is EVERY_KIND:
        assert EVERY_TYPE <= set(types), f"the story lacks {EVERY_TYPE - set(types)}"

    target = make_engine(empty_url)
    migrate(target)
    clock = story.clock
    clock.set_day(START + dt.timedelta(days=LAST), 12)
    counts = replay.replay(target, stack.bootstrap, story.tracker.policies, prefix, clock=clock)

    with story.engine.connect() as conn:
        ids = conn.execute(sa.select(commitments.c.id).order_by(commitments.c.id)).scalars().all()
        recs = conn.execute(sa.select(recommendations.c.id).order_by(recommendations.c.id)).scalars().all()
    live, replayed = _outputs(_client(story.engine, clock), ids, recs), _outputs(_client(target, clock), ids, recs)
    assert live.keys() == replayed.keys()
    refused = {path: out.split("\n", 1)[0] for path, out in live.items() if not out.startswith("200 ")}
    assert not refused, f"the live tracker answered: {refused}"
    differ = [path for path in live if live[path] != replayed[path]]
    assert not differ, f"{len(differ)} of {len(live)} outputs differ, first {differ[0]}:\n" \
                       f"{_diff(live[differ[0]], replayed[differ[0]])}"
    broken = [path for path, out in replayed.items() if path.endswith("/audit") and '"intact":true' not in out]
    assert not broken, f"the replayed hash chains do not verify: {broken}"
    assert counts["events"] == published and counts["skipped"] == 0, (counts, published)
    print(f"story: {published} events ({len(set(types))} types) replayed, {len(live)} outputs equal "
          f"({len(ids)} commitments, {len(recs)} recommendations)")
    story.engine.dispose()
    target.dispose()
