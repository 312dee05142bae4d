"""Welsh and English (docs/contract.md §8.4): which language a page or an email speaks, and its words.

Fixed text is written in English in the code and templates and marked for gettext (`_()` in Python,
`{{ _() }}` / `{% trans %}` in Jinja2); the Welsh lives in each service's catalogue,
`services/<service>/locale/cy/LC_MESSAGES/messages.po`, over the shared one in `services/common/locale`.
Catalogues are read from their `.po` files when first used (no build step, nothing generated to
forget); `make messages` extracts new text into them, and a unit test fails while any message lacks
its Welsh.

The language in force is a context variable: the web middleware (`i18n_web.py`) sets it per request,
the notifier per email (`speaking`), so Python code and templates both ask `gettext` without being
handed a language."""

from __future__ import annotations

import datetime as dt
import gettext as stdlib_gettext
import io
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Iterator

from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LANGUAGES = ("en", "cy")
HTML_LANG = {"en": "en-GB", "cy": "cy"}
NAMES = {"en": "English", "cy": "Cymraeg"}  # each in its own language: the twin link's words
COMMON_LOCALE = Path(__file__).parent / "locale"


def locale_dir(service_file: str) -> Path:
    """`services/<service>/locale` for any module of that service (pass `__file__`)."""
    path = Path(service_file).resolve()
    while path.parent.name != "services":
        path = path.parent
    return path / "locale"


def _read(directory: Path, lang: str) -> Catalog | None:
    po = directory / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return None
    with po.open("rb") as f:
        return read_po(f, locale=lang)


@cache
def translations(lang: str, own: Path) -> stdlib_gettext.NullTranslations:
    """The service's catalogue over the shared one (the service's own words win), compiled in memory."""
    if lang == "en":
        return stdlib_gettext.NullTranslations()  # the code's own words are English
    merged = Catalog(locale=lang)  # its Plural-Forms: Welsh has six (zero, one, two, few, many, other)
    for part in (_read(COMMON_LOCALE, lang), _read(own, lang)):
        for message in part or ():
            if message.id:
                merged[message.id] = message
    buf = io.BytesIO()
    write_mo(buf, merged)  # fuzzy entries left out: an unchecked guess is not shown as Welsh
    buf.seek(0)
    return Translations(fp=buf)


@dataclass
class Speech:
    """What one request (or one email) speaks. `explicit` is the visitor's own choice (`?lang=` or
    the cookie); a panel's language counts only when there is none; Accept-Language last."""

    own: Path = COMMON_LOCALE
    explicit: str | None = None
    accepted: str | None = None
    panel: str | None = None
    url: str = ""
    query: dict[str, str] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return choose(self.explicit, self.panel, self.accepted)

    @property
    def translations(self) -> stdlib_gettext.NullTranslations:
        return translations(self.lang, self.own)


def choose(explicit: str | None, panel: str | None, accepted: str | None) -> str:
    """docs/contract.md §8.4's order: `?lang=` or the cookie, the panel's language (`bilingual`
    decides nothing), then the browser's Accept-Language, else English."""
    for candidate in (explicit, panel, accepted):
        if candidate in LANGUAGES:
            return candidate
    return "en"


def from_accept_language(header: str | None) -> str | None:
    """The first of our languages the header names, by its q order (`cy-GB;q=0.9, en;q=0.8`)."""
    ranked = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > 0:
            ranked.append((-q, i, primary))
    return min(ranked)[2] if ranked else None


_speech: ContextVar[Speech | None] = ContextVar("followthrough_speech", default=None)
_ENGLISH = Speech()  # outside a request or an email: the code's own words


def current() -> Speech:
    return _speech.get() or _ENGLISH


def language() -> str:
    return current().lang


def use_panel_language(panel_language: str | None) -> None:
    """A panel's page defaults to the panel's language unless the visitor chose one."""
    speech = _speech.get()
    if speech is not None:
        speech.panel = panel_language


def keep_in_twin(**query: object) -> None:
    """A page kept in a cache and shown to everyone: its twin link carries these values (those that
    are set) and nothing else from the first visitor's address."""
    speech = _speech.get()
    if speech is not None:
        speech.query = {k: str(v) for k, v in query.items() if v not in (None, "", False)}


@contextmanager
def speaking(lang: str, own: Path) -> Iterator[Speech]:
    """Everything gettext'd inside speaks `lang` (an email, a CLI line)."""
    token = _speech.set(Speech(own=own, explicit=lang))
    try:
        yield current()
    finally:
        _speech.reset(token)


def begin(speech: Speech):
    return _speech.set(speech)


def end(token) -> None:
    _speech.reset(token)


def gettext(message: str) -> str:
    return current().translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return current().translations.ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Marks text for the catalogue where it is defined (a rule table, say); it is translated where
    it is shown, with `_()` on the value."""
    return message


def long_date(day: dt.date | None) -> str:
    """`Thursday 3 December 2026` / `Dydd Iau 3 Rhagfyr 2026`."""
    return _formatted(day, "EEEE d MMMM y")


def short_date(day: dt.date | None) -> str:
    """`3 December 2026` / `3 Rhagfyr 2026`."""
    return _formatted(day, "d MMMM y")


def _formatted(day: dt.date | None, pattern: str) -> str:
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = day.date()
    return format_date(day, pattern, locale=language())


def number(n: float | int) -> str:
    return format_decimal(n, locale=language())
