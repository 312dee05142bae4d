"""Webhook receivers as an integrator would write them (docs/contract.md §8.3), for the end-to-end
test and the fan-out bench: each is a real HTTP server on loopback in a thread of its own, answering
the CloudEvents validation handshake (OPTIONS) and the deliveries (POST), and recording every request
with the answer it gave. They use no followthrough code: the `standardwebhooks` package, the
CloudEvents SDK and `cryptography`, as a council's developer would.

- `Receiver`: consents to the handshake and answers 200 to every POST.
- `StandardWebhooksReceiver`: verifies each POST with `standardwebhooks.Webhook(secret).verify` for
  every secret it holds (two during a rotation) and answers 401 when none verifies.
- `CloudEventsReceiver`: reads each POST with the CloudEvents SDK's HTTP binding, and checks a `v1a`
  (ed25519) signature with the subscription's public key when it has one.
- `RefusingReceiver`: refuses the handshake (403, no WebHook-Allowed-Origin).
- `FlakyReceiver`: 500 to its first N POSTs, then 200.
- `ThrottlingReceiver`: 429 with `Retry-After: 1` to its first N POSTs, then 200.
- `GoneReceiver`: 410 to every POST (the subscription must be disabled).

Any receiver can `die()` (the fan-out bench's dead subscription): "refuse" closes its socket
(connection refused from then on), "hang" keeps accepting connections and never answers."""

from __future__ import annotations

import base64
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

Answer = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True)
class Received:
    """One request as it arrived (header names lower-cased) and what we answered."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    at: float  # time.monotonic() when it arrived
    verified_with: tuple[str, ...] = ()  # the keys whose signature matched
    event: dict[str, Any] | None = None  # the CloudEvent as the SDK read it

    @property
    def webhook_id(self) -> str | None:
        return self.headers.get("webhook-id")

    @property
    def accepted(self) -> bool:
        return self.method == "POST" and 200 <= self.status < 300

    def json(self) -> Any:
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    """Hands each request to its server's Receiver; HTTP/1.1, so a sender may keep the connection."""

    protocol_version = "HTTP/1.1"
    server: "_Server"

    def do_OPTIONS(self) -> None:  # noqa: N802 (the stdlib's naming)
        self._serve()

    def do_POST(self) -> None:  # noqa: N802
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        answer = self.server.receiver.handle(self.command, self.path, headers, body)
        if answer is None:  # a dead receiver: drop the connection, as a closed port would
            self.close_connection = True
            return
        status, extra, payload = answer
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the stdlib's signature)
        pass  # the receiver's own record is the log


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a hanging handler must not hold close()
    receiver: "Receiver"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A sender that hung up (its timeout, a killed service) is no error of ours; the rest is."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Receiver:
    """Consents to the handshake and accepts every delivery. `keep=False` (the bench) keeps only the
    webhook-ids and when each was first accepted, not every request: 200,000 bodies would not fit."""

    def __init__(self, name: str = "receiver", *, keep: bool = True) -> None:
        self.name, self.keep = name, keep
        self._lock = threading.Lock()
        self._requests: list[Received] = []
        self._first_accepted: dict[str, float] = {}  # webhook-id -> monotonic time
        self._dead: Literal["refuse", "hang"] | None = None
        self._released = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.receiver = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"receiver-{name}", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/{self.name}"

    # -- what it answers (subclasses override) --

    def answer_options(self, headers: dict[str, str]) -> Answer:
        """CloudEvents HTTP webhook spec §4.1: consent names the asking origin (or "*") and the rate."""
        origin = headers.get("webhook-request-origin", "*")
        return 200, {"WebHook-Allowed-Origin": origin, "WebHook-Allowed-Rate": "*", "Allow": "POST, OPTIONS"}, b""

    def answer_post(self, headers: dict[str, str], body: bytes) -> tuple[Answer, dict[str, Any]]:
        """The answer, and what to note on the record (verified_with, event)."""
        return (200, {}, b""), {}

    # -- the machinery --

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer | None:
        """The answer, or None to drop the connection (dead, "refuse": a kept-alive connection too)."""
        if self._dead == "refuse":
            return None
        if self._dead == "hang":  # recorded with status 0: asked, never answered
            self._record(Received(method, path, headers, b"", 0, time.monotonic()))
            self._released.wait()  # until close(): the sender's timeout is what ends it
            return None
        if method == "OPTIONS":
            answer, note = self.answer_options(headers), {}
        else:
            answer, note = self.answer_post(headers, body)
        self._record(Received(method, path, headers, body if self.keep else b"", answer[0], time.monotonic(),
                              **note))
        return answer

    def _record(self, r: Received) -> None:
        with self._lock:
            if r.accepted and r.webhook_id and r.webhook_id not in self._first_accepted:
                self._first_accepted[r.webhook_id] = r.at
            if self.keep or r.method == "OPTIONS" or not r.accepted:
                self._requests.append(r)

    def requests(self, method: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self._requests if method is None or r.method == method]

    def posts(self) -> list[Received]:
        return self.requests("POST")

    def accepted(self) -> list[Received]:
        return [r for r in self.posts() if r.accepted]

    def accepted_ids(self) -> dict[str, float]:
        """webhook-id -> when it was first accepted, in the order of first acceptance."""
        with self._lock:
            return dict(self._first_accepted)

    def die(self, how: Literal["refuse", "hang"] = "refuse") -> None:
        """From now on: connection refused, or connections accepted and never answered."""
        self._dead = how
        if how == "refuse":
            self._stop()

    def close(self) -> None:
        self._released.set()
        self._stop()

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()


class StandardWebhooksReceiver(Receiver):
    """Verifies as the Standard Webhooks spec's own package does. `secrets` is set once the
    subscription is made (its secret is shown once); during a rotation it holds the old and the new,
    and each is tried alone, so the record says which of them the delivery's header satisfied."""

    def __init__(self, name: str = "standard", *, secrets: list[str] | None = None, keep: bool = True) -> None:
        self.secrets: list[str] = list(secrets or [])
        super().__init__(name, keep=keep)

    def answer_post(self, headers: dict[str, str], body: bytes) -> tuple[Answer, dict[str, Any]]:
        from standardwebhooks import Webhook
        from standardwebhooks.webhooks import WebhookVerificationError

        verified = []
        for secret in list(self.secrets):
            try:
                Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            verified.append(secret)
        if not verified:
            return (401, {}, b"signature not verified"), {}
        return (200, {}, b""), {"verified_with": tuple(verified)}


class CloudEventsReceiver(Receiver):
    """Reads every delivery with the CloudEvents SDK (structured or binary mode, by its headers).
    With `public_keys` ("whpk_..."), checks the `v1a` (ed25519) signatures over
    "{webhook-id}.{webhook-timestamp}.{body}" as the Standard Webhooks spec defines them; it answers
    200 either way (reading is its job) and records which keys verified, for the test to judge."""

    def __init__(self, name: str = "cloudevents", *, public_keys: list[str] | None = None, keep: bool = True) -> None:
        self.public_keys: list[str] = list(public_keys or [])
        super().__init__(name, keep=keep)

    def answer_post(self, headers: dict[str, str], body: bytes) -> tuple[Answer, dict[str, Any]]:
        from cloudevents.core.bindings.http import HTTPMessage, from_http_event

        try:
            event = from_http_event(HTTPMessage(headers=headers, body=body))
        except Exception as exc:  # the SDK's errors have no common base: any of them is a 400
            return (400, {}, f"{type(exc).__name__}: {exc}".encode()), {}
        read = {"id": event.get_id(), "type": event.get_type(), "source": event.get_source(),
                "subject": event.get_subject(), "specversion": event.get_specversion(), "data": event.get_data()}
        verified = tuple(k for k in self.public_keys if verify_v1a(k, headers, body))
        return (200, {}, b""), {"event": read, "verified_with": verified}


def verify_v1a(public_key: str, headers: dict[str, str], body: bytes) -> bool:
    """Any `v1a,` signature in webhook-signature verifies under `public_key` ("whpk_" + base64)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key.removeprefix("whpk_")))
    signed = f"{headers.get('webhook-id')}.{headers.get('webhook-timestamp')}.".encode() + body
    for part in headers.get("webhook-signature", "").split():
        version, _, sig = part.partition(",")
        if version != "v1a":
            continue
        try:
            key.verify(base64.b64decode(sig), signed)
            return True
        except (InvalidSignature, ValueError):
            continue
    return False


class RefusingReceiver(Receiver):
    """Does not consent: 403 and no WebHook-Allowed-Origin. Any POST it still gets is recorded (and
    accepted, so the test sees it rather than a retry hiding it)."""

    def __init__(self, name: str = "refusing", *, keep: bool = True) -> None:
        super().__init__(name, keep=keep)

    def answer_options(self, headers: dict[str, str]) -> Answer:
        return 403, {}, b"no"


class _Misbehaving(Receiver):
    """Answers `bad` to its first `times` POSTs, then 200. Never twice to the same webhook-id: a
    message's third attempt is 5 minutes after its first (the schedule), longer than an end-to-end
    test should wait; two messages failing once each still shows the recovery and the order held."""

    bad: Answer = (500, {}, b"")

    def __init__(self, name: str, *, times: int, keep: bool = True) -> None:
        self.times, self._failed_ids = times, set[str]()
        super().__init__(name, keep=keep)

    def answer_post(self, headers: dict[str, str], body: bytes) -> tuple[Answer, dict[str, Any]]:
        msg_id = headers.get("webhook-id", "")
        with self._lock:
            misbehave = len(self._failed_ids) < self.times and msg_id not in self._failed_ids
            if misbehave:
                self._failed_ids.add(msg_id)
        return (self.bad if misbehave else (200, {}, b"")), {}


class FlakyReceiver(_Misbehaving):
    bad = (500, {}, b"internal error")

    def __init__(self, name: str = "flaky", *, times: int = 2, keep: bool = True) -> None:
        super().__init__(name, times=times, keep=keep)


class ThrottlingReceiver(_Misbehaving):
    bad = (429, {"Retry-After": "1"}, b"slow down")

    def __init__(self, name: str = "throttling", *, times: int = 2, keep: bool = True) -> None:
        super().__init__(name, times=times, keep=keep)


class GoneReceiver(Receiver):
    """Consents, then answers 410 Gone: the subscription must be disabled after the first POST."""

    def __init__(self, name: str = "gone", *, keep: bool = True) -> None:
        super().__init__(name, keep=keep)

    def answer_post(self, headers: dict[str, str], body: bytes) -> tuple[Answer, dict[str, Any]]:
        return (410, {}, b"gone"), {}


@dataclass
class Receivers:
    """Several receivers closed together (a fixture's teardown)."""

    all: list[Receiver] = field(default_factory=list)

    def add(self, receiver: Receiver) -> Receiver:
        self.all.append(receiver)
        return receiver

    def close(self) -> None:
        for r in self.all:
            r.close()
