"""Each request's language (docs/contract.md §8.4) and the templates' gettext: a plain ASGI middleware
sets the language for the request from `?lang=`, the `lang` cookie and Accept-Language (a panel's
page adds the panel's language itself, `i18n.use_panel_language`), remembers a `?lang=` choice in the
cookie, and says which language the response is in."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from jinja2 import Environment
from starlette.requests import cookie_parser

from services.common import i18n

COOKIE = "lang"
API = "/api/"
YEAR = 365 * 24 * 3600
# The address keys a page reads (paging, filters, which confirmation to show, the signed link it was
# opened with): only these go into the twin link, and only with plain values, so nothing else a link
# carries (`?error=Police+have+been+sacked`) is ever written into a page.
TWIN_KEYS = frozenset({"page", "show", "panel", "status", "role", "since", "done", "ok", "out", "recorded",
                       "force", "token", "key", "area"})
_PLAIN = re.compile(r"^[A-Za-z0-9._~:=+/-]{1,600}$")


class LanguageMiddleware:
    def __init__(self, app, own: Path) -> None:
        self.app, self.own = app, own

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(API):
            await self.app(scope, receive, send)  # the API speaks English to every client (contract §8.4)
            return
        speech, chosen = self._speech(scope)
        token = i18n.begin(speech)

        async def tell(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"content-language", i18n.HTML_LANG[speech.lang].encode()))
                headers.append((b"vary", b"Accept-Language, Cookie"))
                if chosen:
                    headers.append((b"set-cookie", f"{COOKIE}={chosen}; Path=/; Max-Age={YEAR}; SameSite=Lax"
                                    .encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, tell)
        finally:
            i18n.end(token)

    def _speech(self, scope) -> tuple[i18n.Speech, str | None]:
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        chosen = query.get("lang") if query.get("lang") in i18n.LANGUAGES else None
        remembered = None
        for name, value in scope.get("headers", []):
            if name.lower() == b"cookie":  # every Cookie header, parsed as Starlette does (lenient)
                remembered = cookie_parser(value.decode("latin-1")).get(COOKIE, remembered)
        explicit = chosen or (remembered if remembered in i18n.LANGUAGES else None)
        speech = i18n.Speech(own=self.own, explicit=explicit,
                             accepted=i18n.from_accept_language(headers.get("accept-language")),
                             url=scope.get("path", "/"), query=query)
        return speech, chosen


def twin() -> dict[str, str]:
    """The same page in the other language: its address, its language and the language's own name."""
    speech = i18n.current()
    other = "en" if speech.lang == "cy" else "cy"
    kept = {k: v for k, v in speech.query.items() if k in TWIN_KEYS and _PLAIN.match(v)}
    query = {**kept, "lang": other}
    return {"href": f"{speech.url}?{urlencode(query)}", "lang": other, "hreflang": i18n.HTML_LANG[other],
            "name": i18n.NAMES[other]}


def install(env: Environment) -> None:
    """gettext in the templates (`{{ _("…") }}`, `{% trans %}`), autoescaped like any value, plus the
    page's language, its twin and Babel's dates and numbers."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(lang=i18n.language, html_lang=lambda: i18n.HTML_LANG[i18n.language()], twin=twin)
    env.filters.update(long_date=i18n.long_date, short_date=i18n.short_date, number=i18n.number)
