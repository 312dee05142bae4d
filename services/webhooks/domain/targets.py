"""Which URLs and addresses a delivery may go to.

A subscription names a URL, and whoever can create one could otherwise make us call the database, the
cloud's metadata service or a router on our own network (server-side request forgery). So only http(s)
URLs are taken, and every address a host resolves to is checked before each call, the retries included:
a DNS answer can change between the subscription and the delivery. Private targets are allowed only by
FOLLOWTHROUGH_WEBHOOKS_ALLOW_PRIVATE=true (a test rig, or a receiver on the same private network)."""

from __future__ import annotations

import ipaddress
from typing import Sequence
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2000
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # IPv4 reached through a NAT64 gateway: the low 32 bits
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: someone's internal network


class Refused(ValueError):
    """A URL or an address a delivery may not go to; the text names the field and the fix."""


def check_url(url: str) -> None:
    """Raise Refused unless `url` is an http(s) URL with a host, no user:password and at most 2000 characters."""
    if not isinstance(url, str) or not url:
        raise Refused("url: give the receiver's http or https URL")
    if len(url) > MAX_URL_LENGTH:
        raise Refused(f"url: {len(url)} characters is too long; give one of at most {MAX_URL_LENGTH}")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise Refused("url: has spaces or control characters; percent-encode them")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (reading it checks the port is a number in range)
    except ValueError as exc:
        raise Refused(f"url: not a valid URL ({exc}); give one like https://example.org/hooks") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise Refused(f"url: the scheme {parts.scheme or '(none)'!r} is not allowed; use https (or http)")
    if not parts.hostname:
        raise Refused("url: has no host; give one like https://example.org/hooks")
    if parts.username is not None or parts.password is not None:
        raise Refused("url: must not carry a user name or password; authenticate by the signature instead")


def check_addresses(host: str, addresses: Sequence[str], *, allow_private: bool) -> None:
    """Raise Refused if `host` resolved to nothing, or to any address that is not on the public internet
    (loopback, private, link-local, multicast, reserved, unspecified, or one of those wrapped in IPv6),
    unless `allow_private`."""
    if not addresses:
        raise Refused(f"url: the host {host} does not resolve; check its name")
    for text in addresses:
        address = _parse(host, text)
        if not allow_private and not _public(address):
            raise Refused(f"url: the host {host} resolves to {address}, which is not a public address; give "
                          "a public receiver (private ones need FOLLOWTHROUGH_WEBHOOKS_ALLOW_PRIVATE=true)")


def _parse(host: str, text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])  # getaddrinfo adds "%eth0" to link-local ones
    except ValueError:
        raise Refused(f"url: the host {host} resolved to {text!r}, which is not an IP address") from None


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address inside an IPv6 one reaches that IPv4 address: judge the one reached (the
        # wrapping ranges themselves are listed as special, which would refuse a public one inside).
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in _NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return _public(inner)
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return False
    return not (address.is_loopback or address.is_private or address.is_link_local or address.is_multicast
                or address.is_reserved or address.is_unspecified or not address.is_global)
