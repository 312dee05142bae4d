"""The panel's pages in Welsh (docs/contract.md §8.4), in process on SQLite behind the language middleware
the service installs: `?lang=cy` and `Accept-Language: cy` give the Welsh page with the same links, forms,
fields and buttons as the English one; the page cache keeps each language apart; the feed, calendar and
session pack speak the link's language; Welsh plurals for n = 0, 1, 2, 3, 6, 7."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from services.common import i18n
from services.common.i18n_web import LanguageMiddleware
from services.tracker.usecases import panelview
from services.tracker.web import feeds, views
from services.tracker.web import panel as panel_web
from services.tracker.web.pagecache import PageCache
from tests.unit.tracker.test_panel_pages import SLUG, TODAY, World

TRACKER_LOCALE = i18n.locale_dir(views.__file__)


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    app = w.client.app
    app.include_router(feeds.router)
    w.client = TestClient(LanguageMiddleware(app, own=TRACKER_LOCALE))
    w.fresh = lambda **headers: TestClient(LanguageMiddleware(app, own=TRACKER_LOCALE), headers=headers)
    yield w
    w.tracker.engine.dispose()


def busy(world) -> None:
    """A page with every kind of card and form: late, waiting for the panel's check, a declined idea."""
    world.agree(-3, title="Explain stops")
    waiting = world.agree(20, title="Visit the youth club", action="Visit every month")
    world.finish(waiting, "Officers came to the club twice.")
    world.decline("Free bus passes", "The police do not run the buses.", TODAY - dt.timedelta(days=3))


class Shape(HTMLParser):
    """What a visitor can follow, fill in or press, without its words: links (the language left out of
    their address), forms, fields, labels and buttons, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple] = []

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if tag == "a":
            self.items.append(("a", _without_lang(a.get("href", ""))))
        elif tag == "form":
            self.items.append(("form", a.get("method"), a.get("action")))
        elif tag in ("input", "textarea", "select"):
            value = a.get("value") if a.get("type") in ("radio", "checkbox") else None
            self.items.append((tag, a.get("type"), a.get("name"), a.get("id"), value, "required" in a))
        elif tag in ("button", "label", "summary", "h1", "h2", "h3", "h4", "legend"):
            self.items.append((tag, a.get("type"), a.get("for")))


def _without_lang(href: str) -> str:
    parts = urlsplit(href)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "lang"])
    return parts._replace(query=query).geturl()


def shape(html: str) -> list[tuple]:
    parser = Shape()
    parser.feed(html)
    return parser.items


def english_words() -> list[str]:
    """Our own English sentences (no placeholders, long enough not to be a name): none may show on a Welsh page."""
    with (TRACKER_LOCALE / "cy" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="cy")
    return [m.id for m in catalog if isinstance(m.id, str) and len(m.id) > 14 and "%" not in m.id
            and "'" not in m.id]


def test_lang_cy_gives_the_welsh_panel_page_with_the_english_pages_links_forms_and_buttons(world):
    busy(world)
    english = world.fresh().get(f"/panels/{SLUG}")
    welsh = world.fresh().get(f"/panels/{SLUG}?lang=cy")
    assert english.status_code == welsh.status_code == 200
    assert '<html lang="en-GB">' in english.text and "Late, or waiting for you" in english.text
    html = welsh.text
    assert '<html lang="cy">' in html and welsh.headers["content-language"] == "cy"
    assert f'<link rel="alternate" hreflang="en-GB" href="/panels/{SLUG}?lang=en">' in html
    assert f'<a href="/panels/{SLUG}?lang=en" hreflang="en-GB" lang="en-GB">English</a>' in html
    for words in ("<h2>Yn hwyr, neu’n aros amdanoch chi</h2>",
                  '<h2 id="pulse">Ydych chi’n ymddiried yn yr heddlu?</h2>',
                  "<legend>Wnaethon nhw ei wneud?</legend>", '<button type="submit">Anfon eich ateb</button>',
                  "<summary>Ateb yr heddlu</summary>", "<h2>Syniadau sy’n dal i aros, neu a gafodd eu gwrthod</h2>",
                  '<span class="badge dropped">Dywedodd yr heddlu na</span>'):
        assert words in html, words
    left = [w for w in english_words() if w in html]
    assert left == []
    # What people wrote is shown as written.
    assert "Explain stops" in html and "The police do not run the buses." in html
    assert shape(html) == shape(english.text)
    assert len([i for i in shape(html) if i[0] == "form"]) >= 3


def test_accept_language_cy_gives_the_welsh_page_and_a_chosen_language_wins_over_it(world, monkeypatch):
    busy(world)
    english_panel = world.fresh(**{"Accept-Language": "cy"}).get(f"/panels/{SLUG}")
    assert '<html lang="en-GB">' in english_panel.text  # the panel's language (en) comes before the browser's
    monkeypatch.setattr(panelview, "panel_language", lambda engine, slug: "bilingual")  # the browser decides
    welsh = world.fresh(**{"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}).get(f"/panels/{SLUG}")
    assert '<html lang="cy">' in welsh.text and "Yn hwyr, neu’n aros amdanoch chi" in welsh.text
    chosen = world.fresh(**{"Accept-Language": "cy"}).get(f"/panels/{SLUG}?lang=en")
    assert '<html lang="en-GB">' in chosen.text and "Late, or waiting for you" in chosen.text
    assert shape(welsh.text) == shape(chosen.text)


def test_the_page_cache_keeps_each_language_apart(world, monkeypatch):
    """Cached in Welsh first, then asked for in English by someone else (and the other way round): without
    the language in the cache's key the second reader would get the first one's page."""
    busy(world)
    monkeypatch.setattr(panelview, "panel_language", lambda engine, slug: "bilingual")  # the browser decides
    assert '<html lang="cy">' in world.fresh().get(f"/panels/{SLUG}?lang=cy").text
    english = world.fresh().get(f"/panels/{SLUG}").text
    assert '<html lang="en-GB">' in english and "Late, or waiting for you" in english
    assert "Yn hwyr, neu’n aros amdanoch chi" not in english
    again = world.fresh(**{"Accept-Language": "cy"}).get(f"/panels/{SLUG}").text
    assert "Yn hwyr, neu’n aros amdanoch chi" in again
    pack_cy = world.fresh().get(f"/panels/{SLUG}/session?lang=cy").text
    pack_en = world.fresh().get(f"/panels/{SLUG}/session").text
    assert "pecyn ar gyfer eich cyfarfod nesaf" in pack_cy and "pack for your next meeting" in pack_en
    assert "pecyn ar gyfer" not in pack_en


def test_the_cache_renders_once_per_language_for_the_same_key():
    cache, calls = PageCache(ttl=60), []

    def render(marker):
        calls.append(i18n.language())
        return f"page in {i18n.language()}"

    with i18n.speaking("cy", TRACKER_LOCALE):
        assert cache.get(("p",), render) == "page in cy"
        assert cache.get(("p",), render) == "page in cy"
    assert cache.get(("p",), render) == "page in en"
    assert calls == ["cy", "en"]


def test_a_welsh_panel_opens_in_welsh_unless_the_visitor_chose_english(world, monkeypatch):
    busy(world)
    monkeypatch.setattr(panelview, "panel_language", lambda engine, slug: "cy" if slug == SLUG else None)
    page = world.fresh(**{"Accept-Language": "en"}).get(f"/panels/{SLUG}").text
    assert '<html lang="cy">' in page and "Yn hwyr, neu’n aros amdanoch chi" in page
    # Its feed and calendar links need no ?lang=: they default to the panel's language too.
    assert f'href="/panels/{SLUG}/feed.xml"' in page
    english = world.fresh().get(f"/panels/{SLUG}?lang=en").text
    assert '<html lang="en-GB">' in english and f'href="/panels/{SLUG}/feed.xml?lang=en"' in english


def test_the_panel_language_is_none_where_the_panels_table_has_no_language_yet(world):
    language = panelview.panel_language(world.tracker.engine, SLUG)
    assert language in (None, "en", "cy", "bilingual")
    assert panelview.panel_language(world.tracker.engine, "no-such-panel") is None


@pytest.mark.parametrize("late, words", [(1, "1 diwrnod"), (2, "2 ddiwrnod"), (3, "3 diwrnod"), (6, "6 diwrnod"),
                                         (7, "7 diwrnod")])
def test_days_late_on_the_welsh_page_take_welshs_plural_forms(world, late, words):
    world.agree(-late)
    html = world.fresh().get(f"/panels/{SLUG}?lang=cy").text
    assert f"<dt>Yn hwyr o</dt><dd>{words}</dd>" in html
    assert f"Yn hwyr o {words}" in html  # the card's badge
    english = world.fresh().get(f"/panels/{SLUG}").text
    assert f"<dt>Late by</dt><dd>{late} day{'s' if late != 1 else ''}</dd>" in english


@pytest.mark.parametrize("n, days, times", [
    (0, "0 diwrnod", "0 gwaith"), (1, "1 diwrnod", "1 waith"), (2, "2 ddiwrnod", "2 waith"),
    (3, "3 diwrnod", "3 gwaith"), (6, "6 diwrnod", "6 gwaith"), (7, "7 diwrnod", "7 gwaith")])
def test_welsh_plurals_for_zero_one_two_few_many_and_other(n, days, times):
    with i18n.speaking("cy", TRACKER_LOCALE):
        assert views.days(n) == days
        assert i18n.ngettext("%(num)d time", "%(num)d times", n) % {"num": n} == times
    assert views.days(n) == ("1 day" if n == 1 else f"{n} days")


def test_the_feed_and_calendar_speak_the_language_their_link_carries(world):
    busy(world)
    feed_cy = world.fresh().get(f"/panels/{SLUG}/feed.xml?lang=cy").text
    assert "beth addawodd yr heddlu</title>" in feed_cy and 'xml:lang="cy"' in feed_cy
    assert "Dywedoch chi: Explain stops." in feed_cy
    feed_en = world.fresh().get(f"/panels/{SLUG}/feed.xml").text
    assert "what police promised</title>" in feed_en and "beth addawodd" not in feed_en
    cal_cy = world.fresh().get(f"/panels/{SLUG}/deadlines.ics?lang=cy").text
    assert "SUMMARY:Dyddiad terfyn: Brief officers" in cal_cy and "dyddiadau terfyn yr heddlu" in cal_cy
    assert "SUMMARY:Due: Brief officers" in world.fresh().get(f"/panels/{SLUG}/deadlines.ics").text


def test_the_welsh_session_pack_has_the_english_ones_links_and_form(world):
    busy(world)
    english = world.fresh().get(f"/panels/{SLUG}/session").text
    welsh = world.fresh().get(f"/panels/{SLUG}/session?lang=cy").text
    assert '<html lang="cy">' in welsh and "<h2 id=\"late-h\">Hwyr</h2>" in welsh
    assert "Wedi’i wneud ar 26 Tachwedd 2026." in welsh  # Babel's Welsh month
    assert [w for w in english_words() if w in welsh] == []
    assert shape(welsh) == shape(english)


def test_a_title_in_the_pages_language_is_shown_else_the_title_as_written():
    rec = SimpleNamespace(title="Explain stops", titles={"en": "Explain stops", "cy": "Esbonio stopio"})
    plain = SimpleNamespace(title="Free buses", titles=None)
    assert views.title_of(rec) == "Explain stops" and views.title_of(plain) == "Free buses"
    with i18n.speaking("cy", TRACKER_LOCALE):
        assert views.title_of(rec) == "Esbonio stopio" and views.title_of(plain) == "Free buses"


def test_a_refusal_on_the_panels_form_is_shown_in_welsh(world):
    cid = world.agree(20)
    world.finish(cid, "Done it.")
    client = world.fresh()
    page = client.get(f"/panels/{SLUG}?lang=cy").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = client.post(f"/panels/{SLUG}/commitments/{cid}/verdict",
                    data={"csrf": csrf, "verdict": "confirmed", "access_code": "wrong"})
    assert r.status_code == 403
    assert "Dydy’r cod mynediad hwn ddim yn iawn ar gyfer y panel hwn." in r.text
    assert panel_web.MESSAGES["confirmed"] == "Thank you. You said it is done."  # the table stays English


def test_a_cached_page_keeps_nothing_of_the_first_visitors_address(world):
    """The panel page and session pack are cached for everyone: their twin links must not carry what the
    first visitor's link held (a signed token, say), or every later visitor would be shown it."""
    busy(world)
    world.fresh().get(f"/panels/{SLUG}?token=first.visitors-secret&force=1")
    world.fresh().get(f"/panels/{SLUG}/session?token=first.visitors-secret")
    for url in (f"/panels/{SLUG}", f"/panels/{SLUG}/session"):
        assert "first.visitors-secret" not in world.fresh().get(url).text, url
