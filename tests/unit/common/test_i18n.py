"""Which language a page speaks (docs/contract.md §8.4's order) and Welsh's plural forms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from services.common import i18n
from services.common.i18n_web import LanguageMiddleware, twin

CHOICES = st.sampled_from([None, "en", "cy", "bilingual", "fr", ""])


@given(CHOICES, CHOICES, CHOICES)
def test_the_visitors_choice_wins_then_the_panels_then_the_browsers(explicit, panel, accepted):
    chosen = i18n.choose(explicit, panel, accepted)
    first = next((c for c in (explicit, panel, accepted) if c in ("en", "cy")), "en")
    assert chosen == first


def test_accept_language_is_read_by_its_weights():
    assert i18n.from_accept_language("cy-GB,cy;q=0.9,en;q=0.8") == "cy"
    assert i18n.from_accept_language("en-GB;q=0.5, cy;q=0.9") == "cy"
    assert i18n.from_accept_language("fr, de;q=0.5") is None
    assert i18n.from_accept_language("cy;q=0, en") == "en"
    assert i18n.from_accept_language("cy;q=nonsense, en;q=0.1") == "en"
    assert i18n.from_accept_language(None) is None


def test_welsh_plural_forms_for_0_1_2_3_6_and_7():
    # The six forms of Welsh's plural rule, through the compiled catalogue's Plural-Forms.
    forms = i18n.translations("cy", i18n.COMMON_LOCALE).plural
    assert [forms(n) for n in (0, 1, 2, 3, 6, 7)] == [0, 1, 2, 3, 4, 5]
    assert [forms(n) for n in (4, 5, 8, 100)] == [5, 5, 5, 5]


def test_an_email_speaks_its_language_and_then_the_code_english_again():
    with i18n.speaking("cy", i18n.COMMON_LOCALE):
        assert i18n.gettext("keeping the promises police make to young people").startswith("cadw")
        assert i18n.long_date(dt.date(2026, 12, 3)) == "Dydd Iau 3 Rhagfyr 2026"
    assert i18n.gettext("keeping the promises police make to young people").startswith("keeping")
    assert i18n.long_date(dt.date(2026, 12, 3)) == "Thursday 3 December 2026"


def _app() -> TestClient:
    app = FastAPI()

    @app.get("/page")
    def page(panel: str | None = None):
        i18n.use_panel_language(panel)
        return PlainTextResponse(i18n.language())

    @app.get("/api/v1/thing")
    def api():
        return PlainTextResponse(i18n.language())

    app.add_middleware(LanguageMiddleware, own=Path(i18n.COMMON_LOCALE))
    return TestClient(app)


def test_a_request_takes_lang_then_the_cookie_then_the_panel_then_accept_language():
    client = _app()
    assert client.get("/page").text == "en"
    assert client.get("/page", headers={"Accept-Language": "cy"}).text == "cy"
    assert client.get("/page?panel=en", headers={"Accept-Language": "cy"}).text == "en"
    assert client.get("/page?panel=bilingual", headers={"Accept-Language": "cy"}).text == "cy"
    r = client.get("/page?lang=cy&panel=en")
    assert r.text == "cy" and r.headers["content-language"] == "cy" and "lang=cy" in r.headers["set-cookie"]
    assert client.get("/page?panel=en").text == "cy"  # the cookie remembers the choice
    assert client.get("/page?lang=en").text == "en" and client.get("/page").text == "en"
    assert _app().get("/page?lang=xx", headers={"Accept-Language": "cy"}).text == "cy"  # no such language: ignored


def test_the_twin_link_carries_only_the_keys_a_page_reads_with_plain_values():
    speech = i18n.Speech(explicit="en", url="/panels/p1",
                         query={"page": "2", "error": "Police have been sacked", "show": "kept <b>",
                                "token": "abc.DEF-_1", "lang": "en"})
    token = i18n.begin(speech)
    try:
        link = twin()
    finally:
        i18n.end(token)
    assert link == {"href": "/panels/p1?page=2&token=abc.DEF-_1&lang=cy", "lang": "cy", "hreflang": "cy",
                    "name": "Cymraeg"}


def test_the_contact_details_refusal_speaks_the_language_of_the_request_it_refuses():
    from services.common.guard import contact_details_in, explain

    found = contact_details_in("ring 07911 123456 or jay@gmail.com")
    assert explain(found).startswith("this text seems to contain an email address and a phone number.")
    with i18n.speaking("cy", i18n.COMMON_LOCALE):
        welsh = explain(found, i18n.N_("this link"))
    assert welsh.startswith("Mae’n edrych fel bod cyfeiriad e-bost a hefyd rhif ffôn yn y ddolen hon.")


def test_the_api_speaks_english_whatever_the_request_asks():
    client = _app()
    r = client.get("/api/v1/thing?lang=cy", headers={"Accept-Language": "cy", "Cookie": "lang=cy"})
    assert r.text == "en" and "content-language" not in r.headers and "set-cookie" not in r.headers


def test_the_lang_cookie_is_found_beside_a_cookie_that_does_not_parse():
    headers = [("Cookie", 'prefs={"a": 1}; lang=cy')]
    assert _app().get("/page", headers=headers).text == "cy"
