"""The session pack shows what the panel's page shows of the right of reply: the panel's replies
(accept, insist, counter) to police decisions, and who can act on a `no_power` decline."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.support.events import panel_code
from tests.support.replies import declined_event, recommendation
from tests.unit.tracker.test_panel_pages import SLUG, TODAY, UID, World


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    state = w.client.app.state
    state.tracker, state.recorder = w.tracker, w.tracker.recorder  # what the panel's reply form uses
    yield w
    w.tracker.engine.dispose()


def _reply(world: World, rec_id: str, reply: str, comment: str, title: str = "") -> None:
    page = world.client.get(f"/panels/{SLUG}").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = world.client.post(f"/panels/{SLUG}/recommendations/{rec_id}/reply",
                          data={"csrf": csrf, "reply": reply, "comment": comment, "title": title,
                                "access_code": panel_code(UID)}, follow_redirects=False)
    assert r.status_code == 303, r.text


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_pack_shows_the_panels_replies_and_who_can_act_on_a_no_power_decline(world):
    buses = recommendation(UID, "Free bus passes", raised_on=TODAY - dt.timedelta(days=5))
    world.feed(declined_event(UID, buses, code="no_power", who_can="the local council"))
    lights = recommendation(UID, "Fix the street lights", raised_on=TODAY - dt.timedelta(days=4))
    world.feed(declined_event(UID, lights, code="no_budget"))
    skate = recommendation(UID, "A skate park", raised_on=TODAY - dt.timedelta(days=4))
    world.feed(declined_event(UID, skate, code="other"))
    promise = world.agree(30, title="Explain stops", action="Brief officers")
    with world.tracker.engine.connect() as conn:
        promised = conn.exec_driver_sql("SELECT recommendation_id FROM tracker_commitments WHERE id = ?",
                                        (promise,)).scalar()
    _reply(world, str(buses.id), "accept", "We will write to the council")
    _reply(world, str(skate.id), "insist", "Please ask again")
    _reply(world, str(lights.id), "counter", "A cheaper way", title="Torches for the park patrol")
    _reply(world, promised, "accept", "Thank you")

    pack = _text(world.client.get(f"/panels/{SLUG}/session?since={(TODAY - dt.timedelta(days=7)).isoformat()}").text)
    assert "Police cannot do this; the local council can." in pack, "the pack does not say who can act"
    assert "You accepted this (their no)" in pack, "the pack does not show the panel's replies"
    said_no, answers = pack.split("Police said no")[1].split("Your answers to police since 19 November 2026")
    buses_line = said_no.split("Free bus passes")[1].split("You said:")[0]
    assert "Police cannot do this; the local council can." in buses_line, "who can act sits with its decline"
    assert "You accepted this (their no)" in buses_line and "We will write to the council" in said_no
    assert "You insisted (their no). Police must answer by" in answers and "Please ask again" in answers
    for words in ("You insisted (their no). Police must answer by", "Please ask again",
                  "You proposed something else (their no): Torches for the park patrol", "A cheaper way",
                  "You accepted this (their promise)", "Thank you"):
        assert words in pack, words
    page = _text(world.client.get(f"/panels/{SLUG}").text)
    assert "Police cannot do this; the local council can." in page and "You accepted this (their promise)" in page
