"""HTTP to receivers (docs/contract.md §8.3): every call checks the URL, resolves its host, checks
every address (no loopback, private, link-local... unless allowed) and then connects to the very
address it checked. The URL's host is replaced by that IP; the Host header and, for https, the
TLS server name (SNI and certificate check) stay the URL's name. A DNS answer that changes between
the check and the connection (DNS rebinding) therefore cannot send us to a private address.

Redirects are never followed: a 3xx is the receiver's answer, judged by the domain. Any failure
(refusal, DNS, connection, timeout) is an `Answer` with `error`, never an exception."""

from __future__ import annotations

import asyncio
import inspect
import socket
import ssl
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import httpx

from services.webhooks.domain.targets import Refused, check_addresses, check_url

Resolve = Callable[[str, int], "list[str] | Awaitable[list[str]]"]
BODY_LIMIT = 64 * 1024  # what we read of a receiver's answer: enough to reuse the connection, no more
KEPT_CLIENTS = 64  # connection pools kept, one per (host name, address); the least used is closed


@dataclass(frozen=True)
class Answer:
    status: int | None
    headers: Mapping[str, str] = field(default_factory=dict)  # names in lower case
    error: str | None = None
    duration_ms: int = 0


class HttpSender:
    def __init__(self, *, allow_private: bool, timeout: float = 15.0, resolve: Resolve | None = None,
                 verify: ssl.SSLContext | None = None) -> None:
        """`resolve(host, port)` -> addresses (sync or async; default: the system resolver);
        `verify`: the TLS context that checks receivers' certificates (default: the system's CAs)."""
        self.allow_private, self.timeout = allow_private, timeout
        self._resolve = resolve or getaddrinfo
        self._clients: OrderedDict[tuple, httpx.AsyncClient] = OrderedDict()
        self._closing: set[asyncio.Task] = set()
        self._tls: ssl.SSLContext | None = verify

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        return await self._call("POST", url, headers, body)

    async def options(self, url: str, headers: Mapping[str, str]) -> Answer:
        return await self._call("OPTIONS", url, headers, None)

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), OrderedDict()
        for client in clients:
            await client.aclose()

    async def _call(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> Answer:
        started = time.monotonic()

        def answer(status: int | None, got: Mapping[str, str], error: str | None) -> Answer:
            return Answer(status, got, error, int((time.monotonic() - started) * 1000))

        try:
            async with asyncio.timeout(self.timeout):
                target = httpx.URL(url)
                address = await self._checked_address(url, target)
                return await self._send(method, target, address, headers, body, answer)
        except Refused as exc:
            return answer(None, {}, f"refused: {exc}")
        except TimeoutError:
            return answer(None, {}, f"timeout after {self.timeout:g}s")
        except httpx.TimeoutException:
            return answer(None, {}, f"timeout after {self.timeout:g}s")
        except (httpx.HTTPError, OSError, ssl.SSLError, ValueError) as exc:
            return answer(None, {}, _describe(exc))

    async def _checked_address(self, url: str, target: httpx.URL) -> str:
        """The address to connect to, after the URL and every address its host resolves to passed."""
        check_url(url)
        host = target.host
        port = target.port or (443 if target.scheme == "https" else 80)
        try:
            found = self._resolve(host, port)
            addresses = list(await found if inspect.isawaitable(found) else found)
        except OSError as exc:
            raise Refused(f"url: the host {host} does not resolve ({_describe(exc)}); check the name") from exc
        # Every address is checked, not only the one we use: a name that answers with a public and a
        # private address is refused whole.
        check_addresses(host, addresses, allow_private=self.allow_private)
        return addresses[0]

    async def _send(self, method: str, target: httpx.URL, address: str, headers: Mapping[str, str],
                    body: bytes | None, answer) -> Answer:
        client = self._client(target, address)
        request = client.build_request(method, target.copy_with(host=address), content=body,
                                       headers={**headers, "host": _host_header(target)},
                                       extensions=({"sni_hostname": target.host} if target.scheme == "https" else {}))
        response = await client.send(request, stream=True)
        try:
            await _drain(response)
        finally:
            await response.aclose()
        got = {k.lower(): v for k, v in response.headers.items()}
        return answer(response.status_code, got, None)

    def _client(self, target: httpx.URL, address: str) -> httpx.AsyncClient:
        """A pool used for one (host name, address) only: a connection made for one name's TLS
        certificate is never reused for another name that resolves to the same address.
        Pools belong to the event loop that made them."""
        key = (id(asyncio.get_running_loop()), target.scheme, target.host, address, target.port)
        client = self._clients.get(key)
        if client is not None and not client.is_closed:
            self._clients.move_to_end(key)
            return client
        client = httpx.AsyncClient(verify=self._tls_context(), follow_redirects=False, trust_env=False,
                                   timeout=httpx.Timeout(self.timeout),
                                   limits=httpx.Limits(max_connections=4, max_keepalive_connections=2))
        self._clients[key] = client
        while len(self._clients) > KEPT_CLIENTS:
            (loop_id, *_), old = self._clients.popitem(last=False)
            if loop_id == key[0]:
                task = asyncio.get_running_loop().create_task(old.aclose())
                self._closing.add(task)  # held until done: the loop keeps only weak references
                task.add_done_callback(self._closing.discard)
        return client

    def _tls_context(self) -> ssl.SSLContext:
        # One context for all pools: building one loads the CA store, far slower than a request.
        if self._tls is None:
            self._tls = httpx.create_ssl_context()
        return self._tls


async def getaddrinfo(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, in the resolver's order (the loop runs it in a thread)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for *_, sockaddr in infos:
        if sockaddr[0] not in seen:
            seen.append(sockaddr[0])
    return seen


async def _drain(response: httpx.Response) -> None:
    """Read a little of the body, so a small answer leaves the connection reusable; a large one is
    cut off (closing the connection) rather than read whole."""
    read = 0
    async for chunk in response.aiter_raw():
        read += len(chunk)
        if read > BODY_LIMIT:
            break


def _host_header(target: httpx.URL) -> str:
    """The URL's own authority: the name (and a port that is not the scheme's default)."""
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port is None else f"{host}:{target.port}"


def _describe(exc: BaseException) -> str:
    """A short reason for the attempts log: the kind of failure and the library's first line."""
    text = str(exc).splitlines()[0][:300] if str(exc) else ""
    kind = {httpx.ConnectError: "connection failed", httpx.RemoteProtocolError: "protocol error",
            httpx.ReadError: "read error", httpx.WriteError: "write error"}.get(type(exc), type(exc).__name__)
    return f"{kind}: {text}" if text else kind
