"""Yes in principle on the panel's page and in its session pack (contract §5): "Yes in principle, no promise
yet", the police's reason as written and the day they must say yes or no for sure, in English and Welsh;
the register counts it on its own line, and once agreed it is a promise like any other."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from schemas import RecommendationRecorded, make_event
from services.common import i18n
from services.common.i18n_web import LanguageMiddleware
from services.tracker.web import views
from tests.support.events import agreed_event
from tests.support.replies import recommendation
from tests.unit.tracker.test_panel_pages import SLUG, TODAY, UID, World

REASON = "We like it. We need the money first."


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    w.client = TestClient(LanguageMiddleware(w.client.app, own=i18n.locale_dir(views.__file__)))
    yield w
    w.tracker.engine.dispose()


def _in_principle(world: World, title: str, raised_ago: int, decide_in: int):
    rec = recommendation(UID, title, raised_on=TODAY - dt.timedelta(days=raised_ago))
    decide_by = TODAY + dt.timedelta(days=decide_in)
    world.feed(make_event("recommendation.recorded", str(rec.id), RecommendationRecorded(
        recommendation=rec, respond_by=decide_by, decision="in_principle", reason=REASON, decide_by=decide_by),
        source="test"))
    return rec


def _text(html: str) -> str:
    """The page's words, without the report's block (its own labels repeat the page's; test_report_pdf.py
    checks that block against the report)."""
    html = re.sub(r'<section class="report-summary".*?</section>', " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_and_pack_say_yes_in_principle_with_the_reason_and_the_day(world):
    _in_principle(world, "Youth workers at every station", raised_ago=20, decide_in=10)
    _in_principle(world, "A youth club in every ward", raised_ago=90, decide_in=-3)
    page = _text(world.client.get(f"/panels/{SLUG}").text)
    assert page.count("Yes in principle, no promise yet") == 2
    assert f"Their reason: {REASON}" in page
    assert "They must say yes or no for sure by 6 December 2026." in page
    late = page.split("A youth club in every ward")[1]
    assert "They must say yes or no for sure by 23 November 2026. They are 3 days late." in late

    # Raised before the pack's period, it is still in the pack while it is only yes in principle.
    pack = _text(world.client.get(f"/panels/{SLUG}/session?since={(TODAY - dt.timedelta(days=7)).isoformat()}").text)
    assert "Yes in principle, no promise yet: A youth club in every ward" in pack
    assert REASON in pack and "for sure by 23 November 2026" in pack

    welsh = _text(world.client.get(f"/panels/{SLUG}?lang=cy").text)
    assert "Ie mewn egwyddor, dim addewid eto" in welsh and "Rhaid iddyn nhw ddweud ie neu na yn bendant" in welsh
    assert REASON in welsh  # what people wrote is shown as written


def test_once_agreed_it_is_a_promise_and_no_longer_yes_in_principle(world):
    rec = _in_principle(world, "Youth workers at every station", raised_ago=20, decide_in=10)
    event = agreed_event(UID, TODAY + dt.timedelta(days=60), agreed_on=TODAY)
    event["data"]["recommendation"] = rec.model_dump(mode="json")
    world.feed(event)
    page = _text(world.client.get(f"/panels/{SLUG}").text)
    assert "Yes in principle" not in page and "Youth workers at every station" in page
    register = _text(world.client.get("/register").text)
    assert "Agreed in principle 0% (0 of 1)" in register
