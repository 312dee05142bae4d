"""A ceiling on request bodies, enforced before they are read (a plain ASGI middleware).

Without it a 50 MB JSON body to the public pulse API was parsed whole (462 MB resident)
before its 422. A declared `Content-Length` over the limit is answered 413 at once, the body
unread; a body without one (chunked) is counted as it arrives and answered 413 as soon as it
passes the limit. Either way the answer is the `body-too-large` problem, sent from here, so the
route never sees the body; whatever the route answers after its read failed is dropped."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common import problems
from services.common.settings import CommonSettings

MB = 1_000_000


class _TooLarge(Exception):
    """Raised into the route's read of the body once it has been refused."""


def _declared(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length itself
    return None


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int, wider: dict[str, int] | None = None) -> None:
        self.app, self.limit, self.wider = app, limit, wider or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.wider.get(scope.get("path", ""), self.limit)
        declared = _declared(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, send, limit)
            return
        received, refused = 0, False

        async def counted() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not refused:
                    refused = True
                    await _refuse(scope, send, limit)
                    raise _TooLarge
            return message

        async def unless_refused(message: Message) -> None:
            if not refused:
                await send(message)

        try:
            await self.app(scope, counted, unless_refused)
        except Exception:
            if not refused:
                raise


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    problem = problems.BODY_TOO_LARGE(f"The request body is over {limit / MB:g} MB, the most this address "
                                      "takes. Send less.", headers={"Connection": "close"})

    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    await problems.answer(Request(scope), problem)(scope, nothing, send)


def install(app, settings: CommonSettings, wider: dict[str, int] | None = None) -> None:
    """Bodies of at most FOLLOWTHROUGH_MAX_BODY_BYTES on every route of `app`, `wider` naming the
    paths that take more. Install it before the security headers, so its answers carry them."""
    app.add_middleware(BodyLimit, limit=settings.followthrough_max_body_bytes, wider=wider)
