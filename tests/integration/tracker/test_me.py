"""`GET /me` through the tracker's own pages on PostgreSQL: an owner, a supervisor and a board member
each see exactly their part, in the order that puts what needs them first; a supervisor approves a
later deadline from /me and everyone already told hears of it (no quiet reneging on the new path);
nobody acts on a commitment that is not theirs; the CSV holds the same rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from services.common.clock import SYSTEM, utcnow
from services.common.db import make_engine
from services.tracker.bootstrap import bootstrap
from services.tracker.settings import TrackerSettings
from tests.support.events import agreed_event, panel_event
from tests.support.person import PERSON_HEADER, feed, staff_app

TODAY = SYSTEM.today()


def _day(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


@pytest.fixture
def force(database_url, uid):
    """One panel and its ladder (s-, l-, b-uid): a late commitment escalated to the senior lead and a
    quiet one, both owned by o-uid (stored with capitals), and one due soon owned by p-uid. Another
    panel with its own ladder (uid2) is not theirs."""
    engine = make_engine(database_url)
    tracker = bootstrap(TrackerSettings(followthrough_secret_key="me-test-" + "k" * 32), SYSTEM, engine=engine)
    uid2 = uid[::-1]
    late = agreed_event(uid, _day(-20), agreed_on=_day(-40), owner=f"O-{uid}@Example.org")
    quiet = agreed_event(uid, _day(100), agreed_on=_day(-5), owner=f"o-{uid}@example.org")
    soon = agreed_event(uid, _day(5), agreed_on=_day(-5), owner=f"p-{uid}@example.org")
    elsewhere = agreed_event(uid2, _day(-3), agreed_on=_day(-30))
    feed(tracker, panel_event(uid), panel_event(uid2), late, quiet, soon, elsewhere)
    tracker.scanner.run(utcnow())  # the late one: owner, supervisor and senior lead told

    class Force:
        app = staff_app(tracker)
        ids = {name: e["data"]["commitment"]["id"] for name, e in
               (("late", late), ("quiet", quiet), ("soon", soon), ("elsewhere", elsewhere))}
        owner, other_owner = f"o-{uid}@example.org", f"P-{uid}@example.org"
        supervisor, senior, board, stranger = (f"S-{uid}@example.org", f"l-{uid}@example.org",
                                               f"b-{uid}@EXAMPLE.org", f"b-{uid2}@example.org")

        @classmethod
        def client(cls, email: str | None) -> TestClient:
            return TestClient(cls.app, headers={PERSON_HEADER: email} if email else {}, follow_redirects=False)
    Force.engine = engine
    yield Force
    engine.dispose()


def _shown(html: str) -> list[str]:
    return re.findall(r'<li class="card" id="c-([0-9a-f-]+)"', html)


def _form(client: TestClient, cid: str) -> str:
    page = client.get(f"/me/commitments/{cid}")
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def _any_form(client: TestClient, uid: str) -> str:
    """A good form token from a page that has forms for anyone (the panel's), for a forged post."""
    page = client.get(f"/panels/panel-{uid}")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def _notices(engine, cid: str, kind: str) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT recipients, level FROM tracker_notices WHERE commitment_id = :c "
                                    "AND kind = :k"), {"c": cid, "k": kind}).all()


def test_each_person_sees_exactly_their_part_with_what_needs_them_first(force):
    ids = force.ids
    assert _shown(force.client(force.owner).get("/me").text) == [ids["late"], ids["quiet"]]
    assert _shown(force.client(force.other_owner).get("/me").text) == [ids["soon"]]
    # The supervisor: late first, then due soon, then the rest; the board sees the same three.
    for lead in (force.supervisor, force.senior, force.board):
        assert _shown(force.client(lead).get("/me").text) == [ids["late"], ids["soon"], ids["quiet"]], lead
    assert _shown(force.client(force.stranger).get("/me").text) == [ids["elsewhere"]]
    assert _shown(force.client(force.owner.removeprefix("o-")).get("/me").text) == []  # a part of an address
    page = force.client(force.board).get("/me").text
    assert "Late" in page and "Due soon" in page and "You are on the board" in page
    assert "@example.org" not in page.lower()  # no one's address on the page, theirs included (its footer says so)


def test_filters_by_role_status_and_panel(force, uid):
    sup = force.client(force.supervisor)
    assert _shown(sup.get("/me?role=owner").text) == []
    assert _shown(sup.get("/me?role=supervisor&status=open").text) == [force.ids["late"], force.ids["soon"],
                                                                        force.ids["quiet"]]
    assert _shown(sup.get(f"/me?panel=panel-{uid}&role=board").text) == []
    assert _shown(sup.get("/me?panel=panel-nowhere").text) == []
    assert _shown(force.client(force.stranger).get(f"/me?panel=panel-{uid}").text) == []


def test_the_csv_holds_every_row_the_filters_select_in_the_same_order(force):
    board = force.client(force.board)
    r = board.get("/me.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [x["commitment_id"] for x in rows] == _shown(board.get("/me").text)
    assert [x["needs_you"] for x in rows] == ["late", "due_soon", ""]
    assert {x["your_part"] for x in rows} == {"board"}
    assert [x["commitment_id"] for x in csv.DictReader(io.StringIO(board.get("/me.csv?role=owner").text))] == []
    assert "@" not in r.text  # no addresses in the download


def test_an_owner_who_cannot_be_reached_is_flagged_as_on_the_register(force):
    cid = force.ids["soon"]
    with force.engine.begin() as conn:
        conn.execute(sa.text("UPDATE tracker_commitments SET owner_unreachable_since = :d WHERE id = :c"),
                     {"d": _day(-2), "c": cid})
    sup = force.client(force.supervisor)
    card = sup.get("/me").text.split(f'id="c-{cid}"')[1].split("</li>")[0]
    assert "Needs a new owner" in card and "can't be reached" in card
    rows = {x["commitment_id"]: x for x in csv.DictReader(io.StringIO(sup.get("/me.csv").text))}
    assert rows[cid]["owner_unreachable_since"] == _day(-2).isoformat()
    assert rows[force.ids["late"]]["owner_unreachable_since"] == ""


def test_not_signed_in_goes_to_sign_in(force):
    anyone = force.client(None)
    for path in ("/me", "/me.csv", f"/me/commitments/{force.ids['late']}"):
        r = anyone.get(path)
        assert r.status_code == 303 and r.headers["location"] == "/signin", path
    assert anyone.post(f"/me/commitments/{force.ids['late']}", data={"action": "update"}).status_code == 303


def test_a_supervisor_approves_a_later_deadline_from_me_and_everyone_already_told_hears(force, uid):
    cid, far = force.ids["late"], _day(-20) + dt.timedelta(days=200)  # past the 90-day limit
    (escalated,) = _notices(force.engine, cid, "escalation")
    told = set(escalated.recipients)
    assert {t.lower() for t in told} == {f"o-{uid}@example.org", f"s-{uid}@example.org", f"l-{uid}@example.org"}

    owner = force.client(force.owner)
    r = owner.post(f"/me/commitments/{cid}", data={"csrf": _form(owner, cid), "action": "extend",
                                                     "new_due": far.isoformat(), "reason": "Budget comes in May"})
    assert r.status_code == 303 and r.headers["location"] == f"/me?ok=requested#c-{cid}"
    assert "your boss is asked to approve it" in owner.get("/me?ok=requested").text
    (asked,) = _notices(force.engine, cid, "extension_request")
    assert asked.recipients == [f"s-{uid}@example.org"]

    sup = force.client(force.supervisor)
    assert "Asked to move to" in sup.get("/me").text
    page = sup.get(f"/me/commitments/{cid}").text
    assert "A new deadline needs your approval" in page and "Budget comes in May" in page
    r = sup.post(f"/me/commitments/{cid}", data={"csrf": _form(sup, cid), "action": "approve"})
    assert r.status_code == 303 and r.headers["location"] == f"/me?ok=approve#c-{cid}"

    (changed,) = _notices(force.engine, cid, "changed")
    assert set(changed.recipients) == told and changed.level == 2
    with force.engine.connect() as conn:
        due, requested = conn.execute(sa.text("SELECT due, requested_due FROM tracker_commitments WHERE id = :c"),
                                      {"c": cid}).one()
        kinds = conn.execute(sa.text("SELECT kind, entry FROM tracker_timeline WHERE commitment_id = :c "
                                     "ORDER BY seq"), {"c": cid}).all()
        events = conn.execute(sa.text("SELECT payload FROM tracker_outbox WHERE topic = "
                                      "'followthrough.commitments'")).scalars().all()
    assert due == far and requested is None
    assert kinds[-1].kind == "extended" and kinds[-1].entry["approved_by"] == "supervisor"
    assert any('"commitment.extended"' in e and cid in e for e in events)


def test_a_supervisor_refuses_a_later_deadline_and_the_first_one_stands(force):
    cid = force.ids["quiet"]
    owner = force.client(force.owner)
    far = _day(100) + dt.timedelta(days=200)
    owner.post(f"/me/commitments/{cid}", data={"csrf": _form(owner, cid), "action": "extend",
                                               "new_due": far.isoformat(), "reason": "Too busy"})
    sup = force.client(force.supervisor)
    r = sup.post(f"/me/commitments/{cid}", data={"csrf": _form(sup, cid), "action": "refuse"})
    assert r.status_code == 303
    with force.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT due, requested_due FROM tracker_commitments WHERE id = :c"),
                           {"c": cid}).one()
        last = conn.execute(sa.text("SELECT kind FROM tracker_timeline WHERE commitment_id = :c ORDER BY seq DESC "
                                    "LIMIT 1"), {"c": cid}).scalar()
    assert row.due == _day(100) and row.requested_due is None and last == "extension_refused"
    (refused,) = _notices(force.engine, cid, "extension_refused")  # the owner hears the first deadline stands
    assert [r.lower() for r in refused.recipients] == [force.owner.lower()] and refused.level == 0
    assert sup.post(f"/me/commitments/{cid}", data={"csrf": _form(sup, cid), "action": "refuse"}).status_code == 403


def test_nobody_acts_on_a_commitment_that_is_not_theirs(force, uid):
    late, soon = force.ids["late"], force.ids["soon"]
    update = {"action": "update", "note": "Not mine to say", "track": "on_track"}

    owner = force.client(force.owner)
    r = owner.post(f"/me/commitments/{soon}", data={"csrf": _form(owner, late), **update})
    assert r.status_code == 403 and "not part of yours" in r.text
    assert owner.get(f"/me/commitments/{soon}").status_code == 403

    board = force.client(force.board)
    r = board.post(f"/me/commitments/{late}", data={"csrf": _any_form(board, uid), **update})
    assert r.status_code == 403 and "This is not yours to change" in r.text
    assert "Post an update" not in board.get(f"/me/commitments/{late}").text  # no forms for a watcher

    sup = force.client(force.supervisor)  # a supervisor approves, but does not post the owner's updates
    assert sup.post(f"/me/commitments/{late}", data={"csrf": _form(sup, late), **update}).status_code == 403
    assert owner.post(f"/me/commitments/{late}", data={"csrf": _form(owner, late),
                                                       "action": "approve"}).status_code == 403
    stranger = force.client(force.stranger)
    assert stranger.post(f"/me/commitments/{late}", data={"csrf": _any_form(stranger, uid),
                                                          **update}).status_code == 403
    with force.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM tracker_timeline WHERE kind = 'updated'")).scalar() == 0


def test_the_owner_updates_and_finishes_from_me_and_a_form_without_its_token_is_refused(force):
    cid = force.ids["quiet"]
    owner = force.client(force.owner)
    assert owner.post(f"/me/commitments/{cid}", data={"action": "update", "note": "x"}).status_code == 403
    r = owner.post(f"/me/commitments/{cid}", data={"csrf": _form(owner, cid), "action": "update",
                                                     "note": "Briefed half the officers", "track": "on_track"})
    assert r.status_code == 303
    r = owner.post(f"/me/commitments/{cid}", data={"csrf": _form(owner, cid), "action": "done",
                                                     "summary": "Every officer was briefed"})
    assert r.status_code == 422 and "evidence" in r.text.lower()  # the same rule as the respond page
    r = owner.post(f"/me/commitments/{cid}", data={"csrf": _form(owner, cid), "action": "done",
                                                     "summary": "Every officer was briefed",
                                                     "evidence_note": "The briefing list"})
    assert r.status_code == 303
    with force.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT status FROM tracker_commitments WHERE id = :c"),
                            {"c": cid}).scalar() == "done"


def test_the_supervisor_hands_it_over_from_me_and_the_new_owner_sees_it(force, uid):
    cid, new = force.ids["soon"], f"New.Owner-{uid}@example.org"
    sup = force.client(force.supervisor)
    r = sup.post(f"/me/commitments/{cid}", data={"csrf": _form(sup, cid), "action": "hand_over",
                                                   "role": "Inspector, north", "email": new,
                                                   "reason": "The owner moved to another borough"})
    assert r.status_code == 303
    (handover,) = _notices(force.engine, cid, "handover")
    assert new in handover.recipients
    assert _shown(force.client(new.upper()).get("/me").text) == [cid]
    assert _shown(force.client(force.other_owner).get("/me").text) == []


def test_the_pages_of_me_are_valid_html(force):
    from tests.support import vnu

    owner, sup, board = force.client(force.owner), force.client(force.supervisor), force.client(force.board)
    late = force.ids["late"]
    pages = {"me-owner": owner.get("/me?ok=update").text, "me-board-filtered": board.get("/me?role=board&page=2").text,
             "me-item-owner": owner.get(f"/me/commitments/{late}").text,
             "me-item-supervisor": sup.get(f"/me/commitments/{force.ids['quiet']}").text,
             "me-item-board": board.get(f"/me/commitments/{late}").text,
             "me-not-yours": force.client(force.stranger).get(f"/me/commitments/{late}").text,
             "me-form-error": owner.post(f"/me/commitments/{late}", data={"csrf": _form(owner, late),
                                                                           "action": "update", "note": ""}).text}
    assert "The reason" in pages["me-form-error"] or "happened" in pages["me-form-error"]
    assert vnu.check(pages) == {}
