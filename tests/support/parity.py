"""The same page in two languages has the same things to use: its links, forms, fields and buttons.

`structure(html)` lists them in page order as (tag, what identifies it) pairs, words left out: a link
by its address without `lang` (the twin link points at the other language), a form by method and
action, a field by its type and name, an option by its value, a button by its type. Two languages of
one page compare equal; a form, field or link that one of them lacks shows in the difference."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

Thing = tuple[str, ...]


def without_lang(href: str) -> str:
    """`href` with any `lang=` query parameter taken out (the rest kept, in order)."""
    parts = urlsplit(href)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(parts._replace(query=urlencode(query)))


class _Things(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Thing] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("a", "link") and "href" in a:
            self.found.append((tag, without_lang(a["href"])))
        elif tag == "form":
            self.found.append((tag, a.get("method", "get").lower(), without_lang(a.get("action", ""))))
        elif tag == "input":
            self.found.append((tag, a.get("type", "text"), a.get("name", "")))
        elif tag in ("select", "textarea"):
            self.found.append((tag, a.get("name", "")))
        elif tag == "option":
            self.found.append((tag, a.get("value", "")))
        elif tag == "button":
            self.found.append((tag, a.get("type", "submit")))

    handle_startendtag = handle_starttag


def structure(html: str) -> list[Thing]:
    parser = _Things()
    parser.feed(html)
    parser.close()
    return parser.found
