"""A small webhook receiver, as a subscriber would write one (docs/integrators.md, "Receiving our
webhooks"): it answers the CloudEvents validation handshake, verifies every delivery's signature
with the `standardwebhooks` package and prints what it got, one line an event.

`make demo` runs it on port 8005 and subscribes it to every public event; its secret arrives in
`--secret-file` once the subscription is made (the demo's loader writes it there), so until then
a delivery is answered 503 and comes again on the retry schedule. Standalone:

    python -m devtools.demo.receiver --port 8005 --secret whsec_...

Several secrets (one a line in the file, or --secret more than once) are tried in turn, as a
receiver does while a key is rotated."""

from __future__ import annotations

import argparse
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

RATE_PER_MINUTE = 600  # what we let the sender send: WebHook-Allowed-Rate


class Secrets:
    """The secrets to verify with: given on the command line, or read from a file at each delivery
    (so a rotated secret written there is used at once)."""

    def __init__(self, given: list[str], path: Path | None) -> None:
        self.given, self.path = given, path

    def current(self) -> list[str]:
        found = list(self.given)
        if self.path is not None and self.path.is_file():
            found += [line.strip() for line in self.path.read_text().splitlines() if line.strip()]
        return found


def verify(secrets: list[str], body: bytes, headers: dict[str, str]) -> dict | None:
    """The event, when one of the secrets signed it; None when none did (or it is too old)."""
    for secret in secrets:
        try:
            return Webhook(secret).verify(body, headers)
        except WebhookVerificationError:
            continue
    return None


def describe(event: dict) -> str:
    """One line for a verified event: its type, subject and the facts a person looks for first."""
    data = _part(event, "data")
    commitment, recommendation, panel = _part(data, "commitment"), _part(data, "recommendation"), _part(data, "panel")
    facts = [f"{event.get('type', '?'):<28}", f"subject {event.get('subject', '-')}"]
    status = commitment.get("status") or data.get("reply") or data.get("decision")
    if status:
        facts.append(f"status {status}")
    words = recommendation.get("title") or commitment.get("action") or panel.get("name")
    if words:
        facts.append(repr(str(words)[:50]))
    return "  ".join(facts)


def _part(parent: dict, name: str) -> dict:
    value = parent.get(name)
    return value if isinstance(value, dict) else {}


def make_handler(secrets: Secrets, origin: str | None):
    class Receiver(BaseHTTPRequestHandler):
        server_version = "followthrough-demo-receiver"

        def do_OPTIONS(self) -> None:  # noqa: N802 (the http.server naming)
            """The CloudEvents webhook validation handshake: we agree to events from the origin
            that asks (or only from --origin), at most RATE_PER_MINUTE a minute."""
            asking = self.headers.get("WebHook-Request-Origin")
            if not asking or (origin and asking != origin):
                say(f"handshake from {asking or 'nobody'}: refused")
                self._answer(403)
                return
            say(f"handshake from {asking}: agreed, at most {RATE_PER_MINUTE} a minute")
            self._answer(200, {"WebHook-Allowed-Origin": asking, "WebHook-Allowed-Rate": str(RATE_PER_MINUTE),
                               "Allow": "POST, OPTIONS"})

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {name.lower(): value for name, value in self.headers.items()}
            known = secrets.current()
            if not known:
                say("a delivery came before the secret did: 503, the sender tries again later")
                self._answer(503, {"Retry-After": "2"})
                return
            event = verify(known, body, headers)
            if event is None:
                say(f"REFUSED webhook-id {headers.get('webhook-id')}: no signature verifies with our secret")
                self._answer(401)
                return
            mark = "" if b"@" not in body else "  (an @ in the body: a staff address got through!)"
            say(f"verified {describe(event)}  webhook-id {headers.get('webhook-id')}{mark}")
            self._answer(204)

        def _answer(self, status: int, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args) -> None:  # the lines above say it better
            pass

    return Receiver


def say(text: str) -> None:
    print(text, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8005)
    parser.add_argument("--secret", action="append", default=[], help="a whsec_ secret (more than once: each tried)")
    parser.add_argument("--secret-file", type=Path, help="a file of whsec_ secrets, one a line, read at each delivery")
    parser.add_argument("--origin", help="agree to the handshake only from this WebHook-Request-Origin")
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(Secrets(args.secret, args.secret_file),
                                                                      args.origin))
    say(f"listening on http://{args.host}:{args.port}/ (any path); verifying with standardwebhooks")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
