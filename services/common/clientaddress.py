"""Who is asking: the client's address, taken from the reverse proxy's forwarding headers only
when the connecting peer is one of FOLLOWTHROUGH_TRUSTED_PROXIES. Everything that counts per
client (the access-code lock, rate limits, sign-in limits) reads `request.client.host`, so it
counts the person, not the proxy; a peer that is not trusted is the client, whatever it sends.

X-Forwarded-For is read by uvicorn's ProxyHeadersMiddleware: the rightmost address that is not a
trusted proxy (what the client wrote itself is further left, so a made-up address never wins).
RFC 7239 `Forwarded` is read the same way when a trusted peer sends no X-Forwarded-For: nginx,
HAProxy and the Kubernetes ingresses write X-Forwarded-For, so that one comes first, and a proxy
that writes `Forwarded` must drop an X-Forwarded-For its client sent. Only the address is taken
from `Forwarded`: links and cookies follow FOLLOWTHROUGH_PUBLIC_URL, never the request's scheme."""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network

from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware


def install(app, settings) -> None:
    """Add it last, so it runs first: every other middleware sees the client."""
    app.add_middleware(ClientAddress, trusted=settings.followthrough_trusted_proxies)


def forwarded_for(header: str) -> list[str]:
    """Each hop's `for=` of a `Forwarded` header, the client's first; "unknown" where a hop names none.

    Split on every comma, quotes or not: a quote the client left open cannot swallow the hops
    the proxies appended after it, so the rightmost hops stay theirs."""
    hops = []
    for element in header.split(","):
        pairs = (pair.partition("=") for pair in element.split(";"))
        named = {name.strip().lower(): value.strip().strip('"') for name, _, value in pairs}
        hops.append(named.get("for") or "unknown")
    return hops


class ClientAddress:
    """ASGI middleware: uvicorn's X-Forwarded-For handling, and `Forwarded` as the same rule."""

    def __init__(self, app, trusted: Iterable[IPv4Network | IPv6Network]) -> None:
        self.proxy = ProxyHeadersMiddleware(app, trusted_hosts=[str(network) for network in trusted])
        self.trusted = self.proxy.trusted_hosts

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket"):
            self._from_forwarded(scope)
        await self.proxy(scope, receive, send)

    def _from_forwarded(self, scope) -> None:
        peer = scope.get("client")
        if not peer or peer[0] not in self.trusted:
            return
        names = [name for name, _ in scope["headers"]]
        if b"x-forwarded-for" in names or b"forwarded" not in names:
            return
        header = ", ".join(value.decode("latin1") for name, value in scope["headers"] if name == b"forwarded")
        host, port = self.trusted.get_trusted_client_address(", ".join(forwarded_for(header)))
        if host:
            scope["client"] = (host, port)
