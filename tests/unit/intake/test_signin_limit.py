"""The sign-in limits, in memory: one client's requests for an address never use up another
client's, a cap per address holds across clients, and a refusal says how long to wait."""

from __future__ import annotations

from fastapi import Request
from hypothesis import given, settings
from hypothesis import strategies as st

from services.intake.web.signinlimit import SigninLimit

KEY = "k" * 48


def _from(host: str) -> Request:
    return Request({"type": "http", "method": "POST", "path": "/signin", "headers": [], "client": (host, 1)})


def test_a_strangers_requests_do_not_use_up_anothers_for_the_same_address():
    limit = SigninLimit("3/15 minutes", "10/hour", KEY)
    assert [limit.address_wait("fac@example.org", _from("198.51.100.7")) for _ in range(3)] == [0, 0, 0]
    assert 0 < limit.address_wait("fac@example.org", _from("198.51.100.7")) <= 900
    assert limit.address_wait("FAC@example.org ", _from("192.0.2.1")) == 0  # the facilitator, elsewhere


def test_the_cap_per_address_holds_across_clients_and_says_how_long():
    limit = SigninLimit("3/15 minutes", "4/hour", KEY)
    assert [limit.address_wait("a@example.org", _from(f"203.0.113.{i}")) for i in range(4)] == [0] * 4
    wait = limit.address_wait("a@example.org", _from("203.0.113.50"))
    assert 3000 < wait <= 3600
    assert limit.address_wait("b@example.org", _from("203.0.113.50")) == 0  # other addresses are not affected


def test_requests_per_client_whatever_the_address():
    limit = SigninLimit("2/15 minutes", "20/hour", KEY)
    assert [limit.client_wait(_from("192.0.2.9")) for _ in range(2)] == [0, 0]
    assert 0 < limit.client_wait(_from("192.0.2.9")) <= 900
    assert limit.client_wait(_from("192.0.2.10")) == 0


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a@x.org", "b@x.org"]), st.sampled_from(["h1", "h2", "h3"])),
                max_size=40))
def test_no_address_gets_more_links_than_its_cap_or_than_a_client_may_ask(requests):
    limit, sent = SigninLimit("2/15 minutes", "3/hour", KEY), {}
    for address, host in requests:
        if limit.address_wait(address, _from(host)) == 0:
            sent.setdefault(address, []).append(host)
    for hosts in sent.values():
        assert len(hosts) <= 3 and all(hosts.count(h) <= 2 for h in hosts)
