"""Sign-in against someone who tries, on real PostgreSQL and a real SMTP server: requests for
somebody else's address never use up their links, a cap per address stops mail-bombing and the
page says how long to wait, sessions live on the server (sign-out ends a copied cookie at once,
and the cookie names nobody), and an https intake sends Secure `__Host-` cookies and HSTS."""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import hashlib
import re
import zlib

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from services.common.clock import SimulatedClock
from services.common.db import make_engine
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.support.api import issue_token, panel_body
from tests.support.mail import mails_to

START = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
STRONG = "s" * 24 + "-strong-random-key-for-tests"
HSTS = "max-age=31536000; includeSubDomains"


def _settings(stack, database_url, prefix, smtp, **over) -> IntakeSettings:
    return IntakeSettings(**{
        "kafka_bootstrap_servers": stack.bootstrap, "database_url": database_url,
        "followthrough_topic_prefix": prefix, "smtp_host": "127.0.0.1", "smtp_port": smtp.port,
        "followthrough_intake_public_url": "http://localhost:8001",
        "followthrough_reply_consumer": False, "followthrough_outbox_relay": False, **over})


@pytest.fixture
def clock():
    return SimulatedClock(START)


@pytest.fixture
def make_intake(stack, database_url, prefix, smtp, clock, uid):
    """An intake app (lifespan running) with one facilitator; `browser(host)` is another client
    of the same app, from its own address with its own cookies."""
    running = []

    def make(base_url: str = "http://testserver", **over):
        app = create_app(_settings(stack, database_url, prefix, smtp, **over), clock)
        client = TestClient(app, base_url=base_url, client=("192.0.2.1", 40000)).__enter__()
        running.append(client)
        admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
        assert client.post("/api/v1/panels", json=panel_body(uid), headers=admin).status_code == 201
        client.facilitator = f"fac-{uid}@example.org"
        issue_token(database_url, "facilitator", client.facilitator, panel=f"panel-{uid}")
        client.engine = make_engine(database_url)
        client.browser = lambda host: TestClient(app, base_url=str(client.base_url), client=(host, 40000))
        return client

    yield make
    for client in running:
        client.__exit__(None, None, None)


@pytest.fixture
def intake(make_intake):
    return make_intake()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _ask(client, email: str):
    return client.post("/signin", data={"email": email, "csrf": _csrf(client.get("/signin").text)})


def _sign_in(client, smtp, base: str = "http://localhost:8001"):
    assert _ask(client, client.facilitator).status_code == 200
    (mail,) = mails_to(smtp, client.facilitator, 1)
    key = re.search(re.escape(base) + r"/signin/link\?key=(\S+)", mail.message.get_content()).group(1)
    page = client.get(f"/signin/link?key={key}")
    r = client.post("/signin/link", data={"key": key, "csrf": _csrf(page.text)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r


def _session_cookie(client) -> tuple[str, str]:
    (name,) = [n for n in client.cookies.keys() if n.endswith("ft_session")]
    return name, client.cookies[name]


# 5. Requests for someone else's address ----------------------------------------------------------

def test_requests_from_another_client_do_not_use_up_a_facilitators_links(intake, smtp):
    stranger = intake.browser("198.51.100.7")
    for _ in range(5):
        assert _ask(stranger, intake.facilitator).status_code == 200
    mails_before = len(mails_to(smtp, intake.facilitator, 5))
    assert _ask(intake, intake.facilitator).status_code == 200  # the facilitator, from their own machine
    mails = mails_to(smtp, intake.facilitator, mails_before + 1)
    assert len(mails) == mails_before + 1, \
        "the facilitator got no link: a stranger's requests used up the limit for their address"


def test_a_cap_per_address_stops_mail_bombing_and_the_page_says_how_long_to_wait(make_intake, smtp, uid):
    intake = make_intake(followthrough_signin_address_limit="3/hour")
    unknown = f"nobody-{uid}@example.org"
    answers = {}
    for address in (intake.facilitator, unknown):
        for i in range(3):  # three clients, one request each: all within the cap
            assert _ask(intake.browser(f"203.0.113.{i + 1}"), address).status_code == 200
        answers[address] = _ask(intake.browser("203.0.113.99"), address)
    assert len(mails_to(smtp, intake.facilitator, 4, timeout=2)) == 3
    known, other = answers[intake.facilitator], answers[unknown]
    assert known.status_code == 429, f"a 4th request for the address in an hour got {known.status_code}, not 429"
    assert re.search(r"[Ww]ait (about )?\d+ minutes?", known.text), known.text
    assert 0 < int(known.headers["retry-after"]) <= 3600

    def words(r):  # what the page says, without the typed address, tokens and the minutes
        return re.sub(r'value="[^"]*"|<span class="user">[^<]*</span>|\d+', "", r.text)
    assert other.status_code == 429 and words(known) == words(other)  # nothing says who has access


# 6. Sessions live on the server -------------------------------------------------------------------

def test_signing_out_ends_a_copied_session_cookie_at_once(intake, smtp, uid):
    _sign_in(intake, smtp)
    name, copied = _session_cookie(intake)
    record = f"/panels/panel-{uid}/record"
    page = intake.get(record)
    assert page.status_code == 200
    out = intake.post("/signout", data={"csrf": _csrf(page.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/signin?out=1"
    thief = intake.browser("198.51.100.8")
    thief.cookies.set(name, copied)
    r = thief.get(record, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin", \
        f"a session cookie copied before sign-out still opens the record page ({r.status_code})"


def _decodings(value: str) -> str:
    """Every piece of the cookie, base64-decoded (and inflated) where it decodes: what anyone
    holding it can read without any key."""
    out = [value]
    for piece in re.split(r"[.:]", value):
        try:
            raw = base64.urlsafe_b64decode(piece + "=" * (-len(piece) % 4))
        except (binascii.Error, ValueError):
            continue
        out.append(raw.decode("latin-1"))
        with contextlib.suppress(zlib.error):
            out.append(zlib.decompress(raw).decode("latin-1"))
    return " ".join(out).lower()


def test_the_session_cookie_names_nobody_and_only_its_digest_is_stored(intake, smtp, uid):
    _sign_in(intake, smtp)
    _, value = _session_cookie(intake)
    readable = _decodings(value)
    assert intake.facilitator.lower() not in readable and f"panel-{uid}" not in readable, \
        f"the session cookie carries personal data: {readable!r}"
    with intake.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM intake_sessions")).mappings().all()
    (row,) = rows
    assert value not in " ".join(map(str, row.values()))
    assert hashlib.sha256(value.encode()).hexdigest() in row.values()


def test_a_session_ends_after_8_hours_on_the_server(intake, smtp, clock, uid):
    _sign_in(intake, smtp)
    clock.advance(dt.timedelta(hours=7, minutes=59))
    assert intake.get(f"/panels/panel-{uid}/record").status_code == 200
    clock.advance(dt.timedelta(minutes=1))
    r = intake.get(f"/panels/panel-{uid}/record", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin"


def test_revoking_the_token_ends_the_session(intake, smtp, uid, database_url):
    _sign_in(intake, smtp)
    with intake.engine.begin() as conn:
        conn.execute(sa.text("UPDATE api_tokens SET revoked_at = :now WHERE email = :e"),
                     {"now": START, "e": intake.facilitator})
    r = intake.get(f"/panels/panel-{uid}/record", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin"


# 7 and 11. An https intake ------------------------------------------------------------------------

def test_an_https_intake_sends_secure_host_cookies_and_hsts(make_intake, smtp, uid):
    intake = make_intake(base_url="https://testserver",  # as behind a TLS proxy: the browser sees https
                         followthrough_intake_public_url="https://intake.followthrough.example.org",
                         followthrough_public_url="https://followthrough.example.org",
                         followthrough_secret_key=STRONG)
    signin = intake.get("/signin")
    assert signin.headers.get("strict-transport-security") == HSTS, "no HSTS on an https intake's page"
    csrf_cookie = signin.headers["set-cookie"]
    assert csrf_cookie.startswith("__Host-ft_intake_csrf=") and "Secure" in csrf_cookie and "Path=/" in csrf_cookie
    for path in ("/nowhere", "/api/v1/panels"):  # errors too: a 404 page, a 401 problem
        assert intake.get(path).headers.get("strict-transport-security") == HSTS, path
    r = _sign_in(intake, smtp, base="https://intake.followthrough.example.org")
    cookie = [c for c in r.headers.get_list("set-cookie") if "ft_session" in c][0]
    assert cookie.startswith("__Host-ft_session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie


def test_a_plain_http_intake_sends_no_hsts(intake):
    assert "strict-transport-security" not in intake.get("/signin").headers
