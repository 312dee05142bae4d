"""The client's address: from X-Forwarded-For or RFC 7239 `Forwarded` only when the connecting peer
is a trusted proxy, and then the rightmost address that is not one of the proxies."""

from __future__ import annotations

import ipaddress

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common import clientaddress
from services.common.settings import CommonSettings

PROXY = "10.0.0.7"


def _client(trusted: str, peer: str) -> TestClient:
    app = FastAPI()

    @app.get("/who")
    def who(request: Request) -> str:
        return request.client.host

    clientaddress.install(app, CommonSettings(followthrough_trusted_proxies=trusted))
    return TestClient(app, client=(peer, 40000))


def test_a_trusted_proxys_x_forwarded_for_names_the_client():
    client = _client("10.0.0.0/8", PROXY)
    assert client.get("/who", headers={"X-Forwarded-For": "192.0.2.1"}).json() == "192.0.2.1"
    # What the client wrote itself is to the left of what the proxies appended: it never wins.
    assert client.get("/who", headers={"X-Forwarded-For": "6.6.6.6, 192.0.2.1, 10.0.0.3"}).json() == "192.0.2.1"
    assert client.get("/who").json() == PROXY


def test_a_trusted_proxys_forwarded_header_names_the_client():
    client = _client("10.0.0.0/8", PROXY)
    assert client.get("/who", headers={"Forwarded": "for=192.0.2.1;proto=https"}).json() == "192.0.2.1"
    assert client.get("/who", headers={"Forwarded": 'for="[2001:db8::1]:4711"'}).json() == "2001:db8::1"
    spoofed = 'for=6.6.6.6, For="192.0.2.1:80";by=10.0.0.3, for=10.0.0.3'
    assert client.get("/who", headers={"Forwarded": spoofed}).json() == "192.0.2.1"
    # An open quote from the client cannot swallow the hop the proxy appended.
    assert client.get("/who", headers={"Forwarded": 'for="6.6.6.6, for=192.0.2.1'}).json() == "192.0.2.1"
    # X-Forwarded-For first: the header that nginx and the ingresses write.
    both = {"X-Forwarded-For": "192.0.2.2", "Forwarded": "for=192.0.2.3"}
    assert client.get("/who", headers=both).json() == "192.0.2.2"


def test_an_untrusted_peer_is_the_client_whatever_it_sends():
    for trusted in ("", "10.0.0.0/8"):
        client = _client(trusted, "192.0.2.99")
        headers = {"X-Forwarded-For": "192.0.2.1", "Forwarded": "for=192.0.2.1"}
        assert client.get("/who", headers=headers).json() == "192.0.2.99"
    # Not even from loopback, which uvicorn trusts unless told otherwise.
    assert _client("", "127.0.0.1").get("/who", headers={"X-Forwarded-For": "192.0.2.1"}).json() == "127.0.0.1"


PROXIES = ipaddress.ip_network("10.0.0.0/8")
addresses = st.ip_addresses(v=4).filter(lambda a: a not in PROXIES).map(str)
written = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=20)  # anything a client types
proxies = st.lists(st.integers(1, 254).map(lambda n: f"10.0.0.{n}"), max_size=3)


# Each example builds an app: on a loaded machine that can pass hypothesis' 200 ms deadline.
@settings(deadline=None)
@given(made_up=st.lists(addresses | written, max_size=4), client=addresses, hops=proxies,
       forwarded=st.booleans())
def test_the_client_is_the_rightmost_untrusted_address_whatever_came_before(made_up, client, hops, forwarded):
    chain = [*made_up, client, *hops]
    if forwarded:
        headers = {"Forwarded": ", ".join(f'for="{a}"' for a in chain)}
    else:
        headers = {"X-Forwarded-For": ", ".join(chain)}
    assert _client("10.0.0.0/8", PROXY).get("/who", headers=headers).json() == client
