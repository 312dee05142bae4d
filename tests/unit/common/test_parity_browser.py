"""The Welsh parity test's own rules (tests/support/parity_browser.py): a page's address asks for a
language without losing its query, and a twin link is faulted unless it is this page, in the other
language, with that language's `hreflang`."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from tests.support.parity_browser import Shown, bare, masked, twin_faults, with_lang

_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_ .é", min_size=1, max_size=8)


def _shown(lang: str, url: str, twins: list[tuple[str, str, str]]) -> Shown:
    return Shown(name="page", lang=lang, url=url, status=200, html_lang="", content_language=None, twins=twins,
                 structure={"links": ["/signin/link?key=SECRET-1"]}, headings=[], source="",
                 axe_violations=0, axe_report="")


@given(st.lists(st.tuples(_WORD.filter(lambda k: k != "lang"), _WORD), max_size=4), st.sampled_from(["en", "cy"]))
def test_asking_for_a_language_keeps_the_query_and_bare_takes_only_the_language_away(query, lang):
    url = "http://127.0.0.1:8002/panels/p?" + "&".join(f"{k}={v}" for k, v in query)
    asked = with_lang(with_lang(url, "en"), lang)  # asking again replaces, never adds a second lang
    pairs = parse_qsl(urlsplit(asked).query, keep_blank_values=True)
    assert [v for k, v in pairs if k == "lang"] == [lang]
    assert bare(asked) == bare(url)
    assert [p for p in pairs if p[0] != "lang"] == parse_qsl(urlsplit(url).query, keep_blank_values=True)


def test_a_right_twin_has_no_faults():
    page = _shown("en", "http://127.0.0.1:1/panels/p?page=2&lang=en",
                  [("link", "cy", "/panels/p?page=2&lang=cy"), ("a", "cy", "/panels/p?page=2&lang=cy")])
    assert twin_faults(page) == []


def test_a_twin_in_the_wrong_language_to_another_page_or_missing_is_faulted():
    url = "http://127.0.0.1:1/register?lang=cy"
    assert any("hreflang" in f for f in twin_faults(_shown("cy", url, [("link", "cy", "/register?lang=en"),
                                                                        ("a", "en-GB", "/register?lang=en")])))
    assert any("lang=en" in f for f in twin_faults(_shown("cy", url, [("link", "en-GB", "/register?lang=cy"),
                                                                       ("a", "en-GB", "/register?lang=en")])))
    assert any("not this page" in f for f in twin_faults(_shown("cy", url, [("link", "en-GB", "/me?lang=en"),
                                                                             ("a", "en-GB", "/register?lang=en")])))
    assert any("expected one" in f for f in twin_faults(_shown("cy", url, [("a", "en-GB", "/register?lang=en")])))


def test_a_visitors_own_secret_is_masked_and_nothing_else():
    page = masked(_shown("en", "http://127.0.0.1:1/", []), "SECRET-1", "KEY")
    assert page.structure == {"links": ["/signin/link?key=KEY"]}
