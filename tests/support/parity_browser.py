"""What a page is made of, read from Chromium's DOM, so its Welsh and English versions can be compared
by structure, not words (docs/contract.md §8.4): its links (by address, without `lang`), forms (action,
method), fields (name, type) and buttons (type), its `<html lang>` and Content-Language, the links to
its twin, and the fixed words of its main headings (text people wrote, `.user`, left out). Also the
served HTML, for the Nu Html Checker, and axe's verdict, both as tests/browser/test_pages.py runs them."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from axe_playwright_python.sync_playwright import Axe

HTML_LANG = {"en": "en-GB", "cy": "cy"}
OTHER = {"en": "cy", "cy": "en"}

# Addresses lose their `lang` (the one thing a twin's links may differ in) and become path?query#hash,
# so a form with no action (it posts to the page's own address) compares equal in both languages.
_READ = """() => {
  const bare = (raw) => { const u = new URL(raw ?? location.href, location.href);
                          u.searchParams.delete('lang'); return u.pathname + u.search + u.hash; };
  const all = (selector) => [...document.querySelectorAll(selector)];
  const fixedWords = (el) => { const c = el.cloneNode(true);
                               c.querySelectorAll('.user').forEach(u => u.remove());
                               return c.textContent.replace(/\\s+/g, ' ').trim(); };
  return {
    htmlLang: document.documentElement.getAttribute('lang'),
    twins: all('link[rel=alternate][hreflang], a[hreflang]').map(
      e => [e.tagName.toLowerCase(), e.getAttribute('hreflang'), e.getAttribute('href')]),
    structure: {
      links: all('a[href]').map(a => bare(a.getAttribute('href'))),
      forms: all('form').map(f => [bare(f.getAttribute('action')), (f.getAttribute('method') || 'get').toLowerCase()]),
      fields: all('input, select, textarea').map(e => [e.getAttribute('name'), e.type]),
      buttons: all('button, input[type=submit], input[type=reset], input[type=button], input[type=image]')
        .map(b => b.type),
    },
    headings: all('main h1, main h2').map(fixedWords),
  };
}"""


@dataclass
class Shown:
    """One page in one language, as Chromium showed it."""

    name: str
    lang: str
    url: str
    status: int
    html_lang: str
    content_language: str | None
    twins: list[tuple[str, str, str]]
    structure: dict[str, list]
    headings: list[str]
    source: str
    axe_violations: int
    axe_report: str


def with_lang(url: str, lang: str) -> str:
    """`url` asking for `lang` (`?lang=` replaced or added)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"] + [("lang", lang)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def bare(url: str) -> str:
    """path?query without `lang`, as the page's script reads its links."""
    parts = urlsplit(url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"])
    return urlunsplit(("", "", parts.path, query, parts.fragment))


def read(page, response, name: str, lang: str) -> Shown:
    """The page now in `page` (reached by `response`: a goto's or a form's navigation), with axe run on it
    (the context must allow JavaScript: axe is a script)."""
    seen = page.evaluate(_READ)
    axe = Axe().run(page)
    return Shown(name=name, lang=lang, url=page.url, status=response.status, html_lang=seen["htmlLang"],
                 content_language=response.headers.get("content-language"),
                 twins=[tuple(t) for t in seen["twins"]], structure=seen["structure"], headings=seen["headings"],
                 source=response.text(), axe_violations=axe.violations_count,
                 axe_report=axe.generate_report() if axe.violations_count else "")


def masked(shown: Shown, secret: str, stand_in: str) -> Shown:
    """`shown` with a value only one visitor has (a sign-in link's key) written as `stand_in` in its
    structure, so two visitors' pages compare by what they are made of."""
    structure = json.loads(json.dumps(shown.structure).replace(secret, stand_in))
    return replace(shown, structure=structure)


def twin_faults(shown: Shown) -> list[str]:
    """What is wrong with the page's links to its twin: there must be a `<link rel=alternate>` and an
    `<a>`, each to this very page (same path and query) in the other language, with its `hreflang`."""
    other = OTHER[shown.lang]
    faults = []
    kinds = sorted(kind for kind, _, _ in shown.twins)
    if kinds != ["a", "link"]:
        faults.append(f"expected one <link rel=alternate hreflang> and one <a hreflang>, found {shown.twins}")
    for kind, hreflang, href in shown.twins:
        if hreflang != HTML_LANG[other]:
            faults.append(f"<{kind}> hreflang={hreflang!r}, expected {HTML_LANG[other]!r}")
        if dict(parse_qsl(urlsplit(href or "").query)).get("lang") != other:
            faults.append(f"<{kind}> href={href!r} does not ask for lang={other}")
        if bare(href or "") != bare(shown.url):
            faults.append(f"<{kind}> href={href!r} is not this page ({bare(shown.url)!r})")
    return faults
