"""The tracker's web layer only asks (issue 25, item 3): the panel's page, its session pack, its feed and
its calendar read one panel snapshot (usecases/panelview.py), so they agree on which promises a panel
has; the register and the API read through use-case queries too. In process, on SQLite."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from services.tracker.usecases import commitmentview, panelview, registerview
from services.tracker.usecases.errors import NotFound
from services.tracker.web import api, feeds
from tests.unit.tracker.test_panel_pages import SLUG, TODAY, UID, World


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    for module in (feeds, api):
        w.client.app.include_router(module.router)
    yield w
    w.tracker.engine.dispose()


def _promises(world: World) -> list[str]:
    return [world.agree(due, title=f"Idea {i}", action=f"Act {i}") for i, due in enumerate((30, -5, 10, 60))]


def test_the_snapshot_holds_the_panels_promises_due_first_with_their_timelines(world):
    ids = _promises(world)
    world.finish(ids[2], "It was done.", "confirmed")
    snap = panelview.panel_snapshot(world.tracker.engine, SLUG, TODAY)
    assert snap.panel.slug == SLUG
    assert [r.id for r in snap.commitments] == [ids[1], ids[2], ids[0], ids[3]]
    assert [r.due for r in snap.commitments] == sorted(r.due for r in snap.commitments)
    assert [e.kind for e in snap.entries_of(ids[2])] == ["agreed", "completed", "confirmed"]
    assert [e.seq for e in snap.entries_of(ids[2])] == [1, 2, 3]
    assert set(snap.recommendations) == {r.recommendation_id for r in snap.commitments}
    assert snap.latest_raised() == TODAY - dt.timedelta(days=63)
    assert snap.answered == 0 and snap.pulse == []
    assert panelview.panel_snapshot(world.tracker.engine, "no-such-panel") is None


def test_the_snapshot_counts_this_months_pulse_answers_only_when_asked_with_today(world):
    world.answer(2)
    assert panelview.panel_snapshot(world.tracker.engine, SLUG, TODAY).answered == 2
    assert panelview.panel_snapshot(world.tracker.engine, SLUG).answered is None


def test_page_session_pack_feed_and_calendar_list_the_same_promises(world):
    ids = set(_promises(world))
    page = world.client.get(f"/panels/{SLUG}").text
    feed = world.client.get(f"/panels/{SLUG}/feed.xml").text
    calendar = world.client.get(f"/panels/{SLUG}/deadlines.ics").text
    pack = world.client.get(f"/panels/{SLUG}/session?since=2026-01-01").text
    assert set(re.findall(r'<article class="card" id="c-([0-9a-f-]+)"', page)) == ids
    assert set(re.findall(r"urn:followthrough:commitment:([0-9a-f-]+)", feed)) == ids
    assert set(re.findall(r"UID:([0-9a-f-]+)@followthrough.invalid", calendar)) == ids
    assert all(f"Act {i}" in pack for i in range(4))
    for url in (f"/panels/{SLUG}/feed.xml", f"/panels/{SLUG}/deadlines.ics"):
        assert world.client.get(url.replace(SLUG, "no-such-panel")).status_code == 404


def test_the_register_snapshot_has_a_row_per_recommendation_and_every_commitment(world):
    ids = _promises(world)
    snap = registerview.register_snapshot(world.tracker.engine, TODAY)
    assert sorted(r.commitment_id for r in snap.rows) == sorted(ids)
    assert sorted(c.id for c in snap.commitments) == sorted(ids)
    assert snap.areas[SLUG] and set(snap.commitments[0]._fields) == set(registerview.LATE_COLUMNS)
    assert registerview.register_csv_rows(world.tracker.engine, TODAY) == snap.rows
    assert "Act 1" in world.client.get("/register").text  # the late one is on the register's late list


def test_commitment_reads_refuse_what_is_not_there_with_the_apis_404(world):
    cid = _promises(world)[0]
    engine = world.tracker.engine
    row, rec = commitmentview.with_recommendation(engine, cid)
    assert row.id == cid and rec.id == row.recommendation_id and rec.title == "Idea 0"
    assert commitmentview.with_recommendation(engine, "nope") is None
    assert commitmentview.panel_of(engine, cid) == SLUG and commitmentview.panel_of(engine, "nope") is None
    assert commitmentview.audit(engine, cid)["intact"] is True
    with pytest.raises(NotFound, match="There is no commitment nope; check the id."):
        commitmentview.detail(engine, "nope")
    r = world.client.get("/api/v1/commitments/nope")
    assert r.status_code == 404 and r.json()["detail"] == "There is no commitment nope; check the id."
    assert world.client.get("/api/v1/recommendations/nope").status_code == 404
    assert world.client.get("/api/v1/commitments/nope/audit").status_code == 404
    late = world.client.get(f"/api/v1/commitments?panel={SLUG}&overdue=true").json()
    assert [c["action"] for c in late] == ["Act 1"]


def test_the_code_verifier_is_the_one_the_panels_events_gave(world):
    verifier = panelview.code_verifier(world.tracker.engine, SLUG)
    assert verifier and len(verifier) > 20 and UID not in verifier
    assert panelview.code_verifier(world.tracker.engine, "no-such-panel") is None
