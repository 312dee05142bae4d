"""Request bodies have a ceiling, enforced before they are read: by Content-Length when the
client declares a size, and while streaming when it does not (chunked). A 50 MB JSON body to the
public pulse API used to be parsed whole (462 MB resident) before its 422.

The tracker runs as a real process and the requests go over a raw socket, so each test can send
part of a body and wait: an answer before the rest was sent is the proof it was not read."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from services.intake.app import create_app
from services.intake.settings import IntakeSettings

MB = 1_000_000
CHUNK = 64 * 1024


def _answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        more = sock.recv(65536)
        if not more:
            break
        data += more
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
    while len(body) < int(headers.get("content-length", 0)):
        more = sock.recv(65536)
        if not more:
            break
        body += more
    return int(lines[0].split()[1]), headers, body


def _send_part(url: str, path: str, headers: str, parts) -> tuple[int, dict[str, str], bytes]:
    """Send the head and `parts` of the body, never the rest; then read the answer."""
    u = urlsplit(url)
    with socket.create_connection((u.hostname, u.port), timeout=20) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {u.netloc}\r\n{headers}\r\n".encode())
        try:
            for part in parts:
                sock.sendall(part)
        except OSError:  # the server answered and closed while we were still sending: fine
            pass
        try:
            return _answer(sock)
        except TimeoutError:
            pytest.fail("no answer while the rest of the body was still to come: the server waits to read it all")


def _is_too_large(status: int, headers: dict[str, str], body: bytes) -> None:
    assert (status, headers.get("content-type")) == (413, "application/problem+json"), \
        f"{status} {headers.get('content-type')}: {body[:100]!r}"
    problem = json.loads(body)
    assert problem["type"].endswith("/problems/body-too-large") and "1 MB" in problem["detail"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


@pytest.fixture
def tracker(services):
    return services("tracker")


def test_a_pulse_declaring_a_body_over_1_mb_is_refused_before_it_is_sent(tracker):
    head = f"Content-Type: application/json\r\nContent-Length: {MB + 1}\r\n"
    _is_too_large(*_send_part(tracker.url, "/api/v1/panels/any/pulse", head, [b'{"trust": 3, "kept": "']))


def test_a_chunked_pulse_growing_past_1_mb_is_refused_while_it_streams(tracker):
    def chunks():
        for _ in range(MB // CHUNK + 2):  # just over 1 MB, and never the closing empty chunk
            yield f"{CHUNK:x}\r\n".encode() + b" " * CHUNK + b"\r\n"

    head = "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
    _is_too_large(*_send_part(tracker.url, "/api/v1/panels/any/pulse", head, chunks()))


def test_a_form_page_refuses_a_large_body_too(tracker):
    head = f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {5 * MB}\r\n"
    _is_too_large(*_send_part(tracker.url, "/panels/any/pulse", head, [b"trust=3&kept="]))


@pytest.fixture
def intake(stack, database_url, prefix):
    settings = IntakeSettings(kafka_bootstrap_servers=stack.bootstrap, database_url=database_url,
                              followthrough_topic_prefix=prefix, followthrough_reply_consumer=False)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def test_intake_takes_up_to_5_mb_of_csv_and_1_mb_elsewhere(intake):
    csv = {"Content-Type": "text/csv"}
    # Over 1 MB but under 5 MB: the CSV route reads it (and then asks for a token).
    assert intake.post("/api/v1/recommendations/import", content=b"x" * (2 * MB), headers=csv).status_code == 401
    r = intake.post("/api/v1/recommendations/import", content=b"x" * (5 * MB + 1), headers=csv)
    assert (r.status_code, r.headers["content-type"]) == (413, "application/problem+json"), r.status_code
    assert "5 MB" in r.json()["detail"]
    for path in ("/api/v1/panels", "/api/v1/recommendations", "/signin"):
        r = intake.post(path, content=b"x" * (MB + 1), headers={"Content-Type": "application/json"})
        assert r.status_code == 413, (path, r.status_code)
