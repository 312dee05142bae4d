"""A local mail catcher for `make demo` and for tests: a real SMTP server
(aiosmtpd) that keeps what it receives, and a page that lists it."""

from __future__ import annotations

import email
import email.policy
import html
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Caught:
    envelope_from: str
    envelope_to: tuple[str, ...]
    message: EmailMessage
    received_at: float = field(default_factory=time.perf_counter)  # when DATA ended, this process's clock

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content() if body is not None else ""


class RecordingHandler:
    """aiosmtpd handler that records every accepted message; `refuse` makes it answer 451."""

    def __init__(self) -> None:
        self.messages: list[Caught] = []
        self.lock = threading.Lock()
        self.refuse = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        # Lets tests see a permanent refusal: addresses with "refused" in them do not exist.
        if "refused" in address:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            return "451 4.3.0 Try again later"
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(Caught(envelope.mail_from, tuple(envelope.rcpt_tos), msg))
        return "250 OK"

    def snapshot(self) -> list[Caught]:
        with self.lock:
            return list(self.messages)


def start_smtp(port: int, host: str = "127.0.0.1") -> tuple[Controller, RecordingHandler]:
    handler = RecordingHandler()
    controller = Controller(handler, hostname=host, port=port)
    controller.start()
    return controller, handler


def _page(handler: RecordingHandler) -> bytes:
    rows = []
    for c in reversed(handler.snapshot()):
        rows.append(
            f"<article><h2>{html.escape(str(c.message['Subject']))}</h2>"
            f"<p><strong>To:</strong> {html.escape(', '.join(c.envelope_to))}<br>"
            f"<strong>Message-ID:</strong> {html.escape(str(c.message_id))}</p>"
            f"<pre style='white-space:pre-wrap'>{html.escape(c.part('plain'))}</pre></article><hr>"
        )
    body = "".join(rows) or "<p>No emails caught yet. Escalations appear here as the scheduler decides them.</p>"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width'><meta http-equiv='refresh' content='5'>"
        "<title>Caught emails</title></head><body style='font-family:sans-serif;max-width:50rem;margin:auto;"
        f"padding:1rem'><h1>Caught emails ({len(handler.messages)})</h1>{body}</body></html>"
    ).encode()


def main(smtp_port: int = 1025, http_port: int = 8025, host: str = "127.0.0.1") -> None:
    controller, handler = start_smtp(smtp_port, host)

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = _page(handler)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    print(f"mail catcher: SMTP on {host}:{smtp_port}, caught emails at http://{host}:{http_port}/", flush=True)
    try:
        ThreadingHTTPServer((host, http_port), Page).serve_forever()
    finally:
        controller.stop()
