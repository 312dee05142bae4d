"""Which URLs and resolved addresses a delivery may go to (no server-side request forgery)."""

from __future__ import annotations

import pytest

from services.webhooks.domain.targets import Refused, check_addresses, check_url

REFUSED = [
    "127.0.0.1", "127.8.9.10", "::1", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254",
    "192.168.1.1", "169.254.169.254", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456::1", "::ffff:127.0.0.1",
    "::ffff:10.0.0.1", "0.0.0.0", "::", "224.0.0.1", "ff02::1", "100.64.0.1", "240.0.0.1", "255.255.255.255",
    "2002:7f00:1::1",  # 6to4 wrapping 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 wrapping 10.0.0.1
    "192.0.2.1", "2001:db8::1",  # documentation ranges
]
KEPT = ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]


@pytest.mark.parametrize("address", REFUSED)
def test_private_addresses_are_refused(address):
    with pytest.raises(Refused, match=r"^url: .*not a public address"):
        check_addresses("hooks.example.org", [address], allow_private=False)


@pytest.mark.parametrize("address", KEPT)
def test_public_addresses_are_kept(address):
    check_addresses("hooks.example.org", [address], allow_private=False)


def test_one_private_address_among_public_ones_refuses_the_host():
    with pytest.raises(Refused):
        check_addresses("rebind.example.org", ["8.8.8.8", "127.0.0.1"], allow_private=False)


@pytest.mark.parametrize("address", REFUSED + KEPT)
def test_allow_private_lets_every_address_through(address):
    check_addresses("localhost", [address], allow_private=True)


@pytest.mark.parametrize("allow_private", [False, True])
def test_a_host_that_does_not_resolve_is_refused(allow_private):
    with pytest.raises(Refused, match="does not resolve"):
        check_addresses("nowhere.example.org", [], allow_private=allow_private)
    with pytest.raises(Refused, match="not an IP address"):
        check_addresses("odd.example.org", ["not-an-ip"], allow_private=allow_private)


@pytest.mark.parametrize("url", [
    "https://hooks.example.org/in", "http://hooks.example.org:8080/in?x=1", "https://[2606:4700::1]/x",
    "HTTPS://Hooks.Example.org", "https://8.8.8.8/hook",
])
def test_good_urls(url):
    check_url(url)


@pytest.mark.parametrize(("url", "why"), [
    ("", "give the receiver"),
    ("ftp://hooks.example.org/", "scheme"),
    ("file:///etc/passwd", "scheme"),
    ("hooks.example.org/in", "scheme"),
    ("https:///in", "no host"),
    ("https://user:pw@hooks.example.org/", "user name or password"),
    ("https://user@hooks.example.org/", "user name or password"),
    ("https://hooks.example.org:99999/", "not a valid URL"),
    ("https://hooks.example.org/a b", "spaces"),
    ("https://hooks.example.org/\n", "control"),
    ("https://hooks.example.org/" + "a" * 2000, "too long"),
])
def test_bad_urls_are_refused_naming_the_field(url, why):
    with pytest.raises(Refused, match=rf"^url: .*{why}"):
        check_url(url)
