"""The register and the staff pages in Welsh (docs/contract.md §8.4), served by the tracker's own routes on
PostgreSQL: each page asked for in Welsh (`?lang=cy`, the cookie, Accept-Language) says `<html lang="cy">`,
has its headings and buttons in Welsh and a twin link to the English, and has exactly the links, forms,
fields and buttons of the English page (tests/support/parity.py); the count of commitments on /me takes
each of Welsh's six plural forms."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from services.common.clock import SYSTEM, utcnow
from services.common.db import make_engine
from services.common.i18n import locale_dir, short_date, speaking
from services.common.i18n_web import LanguageMiddleware
from services.common.signin.web import StaffSignin
from services.tracker.bootstrap import bootstrap
from services.tracker.settings import TrackerSettings
from services.tracker.web import register, signin
from tests.support.events import agreed_event, panel_event
from tests.support.parity import structure
from tests.support.person import PERSON_HEADER, feed, staff_app

TODAY = SYSTEM.today()
TRACKER_LOCALE = locale_dir(register.__file__)


def _day(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


@pytest.fixture
def world(database_url, uid):
    """A panel with a late commitment whose owner asked for a deadline past their limit (so the supervisor
    has one to approve), and owners holding 1, 2, 3, 6 and 7 commitments for the plural forms."""
    engine = make_engine(database_url)
    tracker = bootstrap(TrackerSettings(followthrough_secret_key="cy-test-" + "k" * 32), SYSTEM, engine=engine)
    late = agreed_event(uid, _day(-20), agreed_on=_day(-40))
    counted = {n: [agreed_event(uid, _day(30 + i), agreed_on=_day(-5), owner=f"n{n}-{uid}@example.org")
                   for i in range(n)] for n in (1, 2, 3, 6, 7)}
    feed(tracker, panel_event(uid), late, *(e for events in counted.values() for e in events))
    tracker.scanner.run(utcnow())
    app = staff_app(tracker)
    app.include_router(register.router)
    app.include_router(signin.router)
    app.state.staff = StaffSignin(tracker.settings, engine, tracker.clock, tracker.settings.public_url, "tracker")
    app.add_middleware(LanguageMiddleware, own=TRACKER_LOCALE)

    class World:
        cid = late["data"]["commitment"]["id"]
        owner, supervisor = f"o-{uid}@example.org", f"s-{uid}@example.org"

        @staticmethod
        def client(email: str | None = None, **headers) -> TestClient:
            return TestClient(app, headers={**({PERSON_HEADER: email} if email else {}), **headers},
                              follow_redirects=False)
    owner = World.client(World.owner)
    far = _day(-20) + dt.timedelta(days=200)  # past the 90-day limit: the supervisor must approve it
    r = owner.post(f"/me/commitments/{World.cid}", data={"csrf": _csrf(owner.get(f"/me/commitments/{World.cid}").text),
                                                        "action": "extend", "new_due": far.isoformat(),
                                                        "reason": "Budget comes in May"})
    assert r.status_code == 303, r.text
    with engine.connect() as conn:
        ladder, requested = conn.execute(sa.text("SELECT escalation, requested_due FROM tracker_commitments "
                                                 "WHERE id = :c"), {"c": World.cid}).one()
    World.far = far
    World.respond = tracker.links.url(World.cid, World.owner).removeprefix(tracker.settings.public_url)
    World.approve = tracker.approvals.url_for(World.cid, ladder["supervisor"], requested.isoformat()) \
        .removeprefix(tracker.settings.public_url)
    yield World
    engine.dispose()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _welsh_twin_of(en: str, cy: str, path: str) -> None:
    """`cy` is the Welsh of `en`: marked Welsh, linked to its English twin, the same things to use."""
    assert '<html lang="en-GB">' in en and '<html lang="cy">' in cy, path
    assert re.search(r'<link rel="alternate" hreflang="en-GB" href="[^"]*lang=en', cy), path
    assert re.search(r'<a href="[^"]*lang=en"[^>]* hreflang="en-GB"', cy), path
    assert structure(cy) == structure(en), path


def _heading(page: str) -> str:
    return html.unescape(re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)).strip()


def _buttons(page: str) -> list[str]:
    return [html.unescape(b) for b in re.findall(r'<button type="submit">(.*?)</button>', page)]


PAGES = {  # who asks, where, and some of the Welsh that page must say
    "register": (None, "/register", "Cofrestr gyhoeddus", ["Sut rydyn ni'n cyfrif", "Yn hwyr nawr",
                                                          "Pa mor dda mae addewidion yn cael eu cadw"]),
    "me": ("supervisor", "/me", "Eich ymrwymiadau", ["Dangos dim ond", "Angen sylw gennych chi"]),
    "me item (owner)": ("owner", "/me/commitments/{cid}", "Chi sy'n berchen arno",
                        ["Rhoi diweddariad", "Gofyn am ddyddiad cau newydd", "Ei drosglwyddo"]),
    "me item (supervisor)": ("supervisor", "/me/commitments/{cid}", "Chi yw rheolwr y perchennog",
                             ["Mae angen i chi gymeradwyo dyddiad cau newydd", "Dweud na: cadw'r dyddiad cau"]),
    "respond": (None, "{respond}", "Eich ymrwymiad i'r panel ieuenctid", ["Rhoi diweddariad",
                                                                       "Nodi ei fod wedi'i wneud"]),
    "approve": (None, "{approve}", "Mae angen i chi gymeradwyo dyddiad cau newydd",
                ["Cymeradwyo'r dyddiad cau newydd"]),
    "signin": (None, "/signin", "Mewngofnodi", ["Does dim modd mewngofnodi gyda chyfrif heddlu yma"]),
    "message": (None, "/signin/callback", "Does dim modd mewngofnodi gyda'ch heddlu yma",
                ["Defnyddiwch y ddolen mewngofnodi"]),
}


@pytest.mark.parametrize("name", PAGES)
def test_each_page_asked_for_in_welsh_is_the_welsh_twin_of_the_english(world, name):
    who, path, heading, says = PAGES[name]
    path = path.format(cid=world.cid, respond=world.respond, approve=world.approve)
    client = world.client({"owner": world.owner, "supervisor": world.supervisor}.get(who))
    sep = "&" if "?" in path else "?"
    en, cy = client.get(path), client.get(f"{path}{sep}lang=cy")
    assert en.status_code == cy.status_code, (en.status_code, cy.status_code)
    _welsh_twin_of(en.text, cy.text, path)
    assert _heading(cy.text) == heading
    text = html.unescape(cy.text)
    assert all(words in text for words in says), [w for w in says if w not in text]
    assert _heading(en.text) != _heading(cy.text)
    english_buttons = set(_buttons(en.text))
    assert not english_buttons & set(_buttons(cy.text)), english_buttons & set(_buttons(cy.text))
    assert cy.headers["content-language"] == "cy"


def test_the_welsh_register_is_chosen_by_the_cookie_or_the_browser_and_cached_apart_from_the_english(world):
    anyone = world.client()
    assert _heading(anyone.get("/register").text) == "Public register"
    by_browser = world.client(**{"Accept-Language": "cy-GB, en;q=0.5"}).get("/register").text
    assert _heading(by_browser) == "Cofrestr gyhoeddus"
    chooser = world.client()
    chooser.get("/register?lang=cy")  # the choice is kept in the cookie
    assert _heading(chooser.get("/register").text) == "Cofrestr gyhoeddus"
    assert _heading(anyone.get("/register").text) == "Public register"  # the Welsh render is not the English's
    assert anyone.get("/register.csv").text.splitlines()[0] == \
        world.client(**{"Accept-Language": "cy"}).get("/register.csv").text.splitlines()[0]


def test_the_cached_register_keeps_nothing_of_the_first_visitors_address(world):
    for lang in ("cy", "en"):
        first = world.client().get(f"/register?lang={lang}&note=Police+have+been+sacked&page=1").text
        later = world.client().get(f"/register?lang={lang}").text
        assert "sacked" not in first and "sacked" not in later, lang
        assert structure(first) == structure(later)


def test_the_welsh_count_of_commitments_takes_each_plural_form(world, uid):
    expected = {0: "0 o ymrwymiadau", 1: "1 ymrwymiad", 2: "2 ymrwymiad", 3: "3 ymrwymiad", 6: "6 ymrwymiad",
                7: "7 o ymrwymiadau"}
    for n, words in expected.items():
        page = world.client(f"n{n}-{uid}@example.org").get("/me?lang=cy").text
        assert re.search(r"<h2>(.*?)</h2>", page.split("</form>")[1]).group(1) == words, n
        english = world.client(f"n{n}-{uid}@example.org").get("/me").text
        assert f"<h2>{n} commitment{'' if n == 1 else 's'}</h2>" in english


def test_late_by_days_dates_and_a_form_error_are_welsh_on_me(world):
    owner = world.client(world.owner)
    card = owner.get("/me?lang=cy").text.split(f'id="c-{world.cid}"')[1].split("</li>")[0]
    with speaking("cy", TRACKER_LOCALE):
        asked_for = short_date(world.far)
    assert "20 o ddiwrnodau yn hwyr" in card and f"<dd>{asked_for}</dd>" in card
    assert asked_for != short_date(world.far)  # the month's name is Welsh
    page = owner.get(f"/me/commitments/{world.cid}?lang=cy")
    r = owner.post(f"/me/commitments/{world.cid}?lang=cy", data={"csrf": _csrf(page.text), "action": "update",
                                                               "note": "Wedi dechrau", "percent": "999"})
    assert r.status_code == 422
    error = html.unescape(re.search(r'<p class="error" role="alert">(.*?)</p>', r.text).group(1))
    assert error.startswith("Pa mor bell mae wedi mynd: "), error
    assert error == "Pa mor bell mae wedi mynd: Rhowch rif sydd ddim yn fwy na 100."
