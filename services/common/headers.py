"""Security headers on every answer of every service (a plain ASGI middleware).

- Content-Security-Policy: nothing from other origins, no inline script, no
  framing, no <base>, forms post only to us. Inline *styles* are allowed: the
  tracker's pages carry their style sheet inline (one request fewer on a phone).
- Referrer-Policy: no-referrer, so a respond link's token never leaves in a
  Referer header (to an evidence link, say).
- X-Content-Type-Options: nosniff.
- Cache-Control: no-store on pages whose address carries a token (the respond
  pages), so no shared or browser cache keeps them.
- Strict-Transport-Security, when the service's public URL is https: browsers
  then never reach it (or its subdomains) over plain http, where a sign-in or
  respond link, or a session cookie, could be read or changed on the way. The
  request itself arrives as plain http behind a TLS-terminating proxy, so the
  configured URL decides, not the request's scheme.

FastAPI's own API docs (/docs, /redoc) load Swagger UI and ReDoc from their
CDN and start them with an inline script: those pages get a policy naming the
CDN and the sha256 of exactly the inline scripts they carry, never
'unsafe-inline' for scripts.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.settings import is_https

POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
# Swagger UI and ReDoc, as FastAPI serves them (fastapi.openapi.docs).
CDN = "https://cdn.jsdelivr.net"
DOCS_POLICY = ("default-src 'self'; script-src 'self' {cdn} {hashes}; style-src 'self' 'unsafe-inline' {cdn} "
               "https://fonts.googleapis.com; font-src 'self' https://fonts.gstatic.com; "
               "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; worker-src 'self' blob:; "
               "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
TOKEN_IN_ADDRESS = (re.compile(r"^/commitments/[^/]+/(respond|approve)/?$"),)
ALWAYS = [(b"referrer-policy", b"no-referrer"), (b"x-content-type-options", b"nosniff")]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")  # a year, as browsers' preload asks
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


def script_hashes(html: bytes) -> list[str]:
    """CSP source expressions for each inline script in `html`."""
    return [f"'sha256-{base64.b64encode(hashlib.sha256(body).digest()).decode()}'"
            for body in _INLINE_SCRIPT.findall(html)]


class SecurityHeaders:
    def __init__(self, app: ASGIApp, no_store: Iterable[re.Pattern] = TOKEN_IN_ADDRESS, hsts: bool = False) -> None:
        self.app, self.no_store = app, tuple(no_store)
        self.always = [*ALWAYS, HSTS] if hsts else ALWAYS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        no_store = any(p.match(path) for p in self.no_store)
        if path in DOCS_PATHS:
            await self._docs(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _headers(message.get("headers", []), POLICY, no_store, self.always)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _docs(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hold the (small) page back until its inline scripts are known and hashed."""
        start: Message | None = None
        body = bytearray()

        async def collect(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body", False):
                return
            policy = DOCS_POLICY.format(cdn=CDN, hashes=" ".join(script_hashes(bytes(body)))).replace("  ", " ")
            start["headers"] = _headers(start.get("headers", []), policy, False, self.always)
            await send(start)
            await send({"type": "http.response.body", "body": bytes(body), "more_body": False})

        await self.app(scope, receive, collect)


def _headers(headers, policy: str, no_store: bool, always=ALWAYS) -> list[tuple[bytes, bytes]]:
    replaced = {b"content-security-policy", *(name for name, _ in always)}
    if no_store:
        replaced.add(b"cache-control")
    out = [(k, v) for k, v in headers if k.lower() not in replaced]
    out += [(b"content-security-policy", policy.encode()), *always]
    if no_store:
        out.append((b"cache-control", b"no-store"))
    return out


def secure(response) -> None:
    """The headers on a response written outside this middleware (Starlette's last-resort 500),
    never stored: an error page says nothing worth keeping."""
    for name, value in _headers([], POLICY, True):
        response.headers[name.decode()] = value.decode()


def install(app, no_store: Iterable[re.Pattern] = TOKEN_IN_ADDRESS, public_url: str | None = None) -> None:
    """On every answer of `app`, an unhandled error's bare 500 included: that one is written by
    Starlette's ServerErrorMiddleware, outside every middleware `add_middleware` adds, so these
    headers wrap the whole stack instead. `public_url`: where people reach the service (https
    adds HSTS)."""
    build = app.build_middleware_stack
    hsts = public_url is not None and is_https(public_url)
    app.build_middleware_stack = lambda: SecurityHeaders(build(), no_store=no_store, hsts=hsts)
