"""The HTTP sender against real loopback receivers: what reaches them, what is refused, and that
the connection goes to the address that was checked, never to a second DNS answer."""

from __future__ import annotations

import asyncio
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services.webhooks.adapters.sender import HttpSender
from tests.support.services import free_port


class Receiver:
    """A real HTTP server on 127.0.0.1 that records each request; the path says how to answer."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                receiver.requests.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                                          body))
                if self.path == "/slow":
                    time.sleep(2)
                if self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                else:
                    self.send_response(200)
                    self.send_header("WebHook-Allowed-Origin", "followthrough.example")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_POST = do_OPTIONS = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def resolver(*answers: list[str]):
    """A DNS that gives each answer in turn (the last one from then on), and counts the questions."""
    calls: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append((host, port))
        return list(answers[min(len(calls), len(answers)) - 1])

    resolve.calls = calls
    return resolve


def run(coro):
    return asyncio.run(coro)


HEADERS = {"webhook-id": "msg_1", "webhook-timestamp": "1764838800", "webhook-signature": "v1,abc=",
           "content-type": "application/cloudevents+json; charset=utf-8"}


def test_post_reaches_the_receiver_with_body_and_headers(receiver):
    sender = HttpSender(allow_private=True, resolve=resolver(["127.0.0.1"]))
    body = '{"data":{"w":"Cymraeg ŵ"}}'.encode()
    answer = run(sender.post(f"http://receiver.invalid:{receiver.port}/hook?x=1", body, HEADERS))
    assert (answer.status, answer.error) == (200, None)
    assert answer.headers["webhook-allowed-origin"] == "followthrough.example"
    (method, path, headers, got), = receiver.requests
    assert (method, path, got) == ("POST", "/hook?x=1", body)
    assert headers["host"] == f"receiver.invalid:{receiver.port}"  # the URL's name, not the address
    assert {k: headers[k] for k in HEADERS} == HEADERS


def test_options_handshake_reaches_the_receiver(receiver):
    sender = HttpSender(allow_private=True)
    answer = run(sender.options(f"http://127.0.0.1:{receiver.port}/hook",
                                {"WebHook-Request-Origin": "followthrough.example"}))
    assert answer.status == 200 and answer.headers["webhook-allowed-origin"] == "followthrough.example"
    (method, _, headers, _), = receiver.requests
    assert method == "OPTIONS" and headers["webhook-request-origin"] == "followthrough.example"


def test_a_redirect_is_not_followed(receiver):
    sender = HttpSender(allow_private=True)
    answer = run(sender.post(f"http://127.0.0.1:{receiver.port}/redirect", b"{}", HEADERS))
    assert answer.status == 302 and answer.headers["location"].endswith("/elsewhere")
    assert [r[1] for r in receiver.requests] == ["/redirect"]


def test_loopback_address_is_refused_unless_allowed(receiver):
    answer = run(HttpSender(allow_private=False).post(f"http://127.0.0.1:{receiver.port}/hook", b"{}", HEADERS))
    assert answer.status is None and answer.error.startswith("refused")
    assert receiver.requests == []


def test_a_name_resolving_to_loopback_is_refused(receiver):
    resolve = resolver(["127.0.0.1"])
    sender = HttpSender(allow_private=False, resolve=resolve)
    answer = run(sender.post(f"http://innocent.example:{receiver.port}/hook", b"{}", HEADERS))
    assert answer.status is None and answer.error.startswith("refused")
    assert resolve.calls == [("innocent.example", receiver.port)]
    assert receiver.requests == []


def test_a_name_with_one_private_address_among_public_ones_is_refused(receiver):
    sender = HttpSender(allow_private=False, resolve=resolver(["93.184.215.14", "10.0.0.5"]))
    answer = run(sender.post("https://mixed.example/hook", b"{}", HEADERS))
    assert answer.status is None and answer.error.startswith("refused")


def test_the_connection_goes_to_the_checked_address_not_a_second_answer(receiver):
    # The first answer is the receiver; a second lookup would say 127.0.0.2, where nothing listens.
    # "receiver.invalid" exists in no DNS: had anything resolved the name again, the call would fail.
    resolve = resolver(["127.0.0.1"], ["127.0.0.2"])
    sender = HttpSender(allow_private=True, resolve=resolve)
    url = f"http://receiver.invalid:{receiver.port}/hook"
    assert run(sender.post(url, b"{}", HEADERS)).status == 200
    assert len(resolve.calls) == 1 and len(receiver.requests) == 1

    # Every call checks again (each retry): the next one asks the DNS anew and goes where it says.
    again = run(sender.post(url, b"{}", HEADERS))
    assert again.status is None and again.error
    assert len(resolve.calls) == 2 and len(receiver.requests) == 1


def test_a_slow_receiver_gives_a_timeout_answer(receiver):
    sender = HttpSender(allow_private=True, timeout=0.5)
    answer = run(sender.post(f"http://127.0.0.1:{receiver.port}/slow", b"{}", HEADERS))
    assert answer.status is None and "timeout" in answer.error
    assert 400 <= answer.duration_ms < 1900


def test_nothing_listening_gives_an_error_answer():
    answer = run(HttpSender(allow_private=True, timeout=2).post(f"http://127.0.0.1:{free_port()}/", b"{}", HEADERS))
    assert answer.status is None and answer.error


def test_a_name_that_does_not_resolve_gives_an_error_answer():
    def resolve(host, port):
        raise OSError(-2, "Name or service not known")

    answer = run(HttpSender(allow_private=False, resolve=resolve).post("https://nowhere.example/", b"{}", HEADERS))
    assert answer.status is None and "does not resolve" in answer.error


def test_a_bad_url_is_refused_without_a_lookup():
    resolve = resolver(["93.184.215.14"])
    answer = run(HttpSender(allow_private=False, resolve=resolve).post("ftp://files.example/x", b"{}", HEADERS))
    assert answer.error.startswith("refused") and resolve.calls == []
