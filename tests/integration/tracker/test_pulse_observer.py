"""The trust pulse against someone who tries to unpick it, on a real tracker, PostgreSQL and Kafka: after
every answer the observer reads the panel's page, its session pack and the register as an outsider, and
`followthrough.pulses`, then works out each answer from what changed. No single answer may come out."""

from __future__ import annotations

import json
import random
import time

import httpx
from kafka import KafkaConsumer

from services.common.clock import london_today
from tests.support.events import panel_code, panel_event, publish
from tests.support.pulse_observer import KEPT, Counts, candidates, deduced, figures_on

ANSWERS = 27  # five steps of five, and two answers the figures do not cover yet
SEED = 24


class PulseTopic:
    """One consumer kept open, so each answer's event is read as it arrives."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                      enable_auto_commit=False, group_id=None)
        self.by_answers: dict[int, dict] = {}

    def event_after(self, answers: int, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        while answers not in self.by_answers and time.monotonic() < deadline:
            for batch in self.consumer.poll(timeout_ms=300).values():
                for m in batch:
                    event = json.loads(m.value)
                    self.by_answers[event["data"]["answers"]] = event["data"]
        assert answers in self.by_answers, f"no pulse.recorded for answer {answers}"
        return self.by_answers[answers]


def test_no_single_answer_can_be_deduced_from_the_pages_or_the_topic(services, stack, uid, prefix, topic):
    tracker = services("tracker", FOLLOWTHROUGH_PAGE_RATE_LIMIT="10000/minute",
                       FOLLOWTHROUGH_VERDICT_RATE_LIMIT="10000/minute")  # one client plays every panel member
    slug = f"panel-{uid}"
    publish(stack.bootstrap, panel_event(uid), prefix)
    url = f"{tracker.url}/api/v1/panels/{slug}/pulse"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and httpx.post(url, json={"access_code": "x", "trust": 1,
                                                                "kept": "no"}).status_code == 404:
        time.sleep(0.2)  # the panel's event is consumed
    label = f"{london_today():%B %Y}"
    pages = {"page": f"{tracker.url}/panels/{slug}", "session pack": f"{tracker.url}/panels/{slug}/session",
             "register": f"{tracker.url}/register"}
    pulses = PulseTopic(stack.bootstrap, topic("followthrough.pulses"))
    rng = random.Random(SEED)
    answers = [(rng.randint(1, 5), rng.choice(KEPT)) for _ in range(ANSWERS)]

    def look(n: int) -> dict:
        seen = {name: figures_on(httpx.get(page).text, label) for name, page in pages.items()}
        seen["pulse.recorded"] = Counts.of_event(pulses.event_after(n)) if n else Counts(counted=0)
        return seen

    observed = [look(0)]
    for n, (trust, kept) in enumerate(answers, 1):
        r = httpx.post(url, json={"access_code": panel_code(uid), "trust": trust, "kept": kept})
        assert r.status_code == 201, r.text
        observed.append(look(n))
    pulses.consumer.close()

    channels = {name: [o[name] for o in observed] for name in observed[0]}
    print(f"\n{ANSWERS} answers observed; figures covered "
          f"{[o['pulse.recorded'].counted for o in observed]} answers after each")
    assert all(seen[-1].counted for seen in channels.values()), "every page and the topic show figures"
    found = deduced(channels, answers)
    left = [len(frozenset.intersection(*(candidates(seen, i) for seen in channels.values())))
            for i in range(1, ANSWERS + 1)]
    print(f"values still possible for each answer, after all the observer saw: {left}")
    assert not found, f"{len(found)} of {ANSWERS} answers can be deduced by an outsider: {found}"
    shown = ANSWERS - ANSWERS % 5  # the figures are made from the answers up to the last step
    assert {name: seen[-1].counted for name, seen in channels.items()} == dict.fromkeys(channels, shown)
    assert f"So far {ANSWERS} of you answered" in httpx.get(pages["page"]).text  # a stuffed month shows
