"""Start-up checks for how a service is reached: a weak key is refused whenever others can reach
the service (its public URL or the interface it listens on), and an https site never links to
a plain-http intake."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.settings import (
    CommonSettings,
    InsecureSecretKey,
    InsecureTransport,
    RefusedToStart,
    is_loopback_host,
    require_https_intake,
    require_strong_secret_key,
)
from services.intake.settings import IntakeSettings

WEAK = "x"
STRONG = "r" * 48


@pytest.mark.parametrize("host", ["127.0.0.1", "127.9.8.7", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_hosts(host):
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "192.0.2.1", "example.org", "localhost.example.org",
                                  "", "not a host"])
def test_hosts_others_can_reach(host):
    assert not is_loopback_host(host)


@given(st.ip_addresses())
def test_an_ip_address_is_loopback_exactly_when_the_standard_library_says_so(address):
    assert is_loopback_host(str(address)) == ipaddress.ip_address(address).is_loopback


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5"])
def test_a_weak_key_is_refused_on_a_public_interface_even_with_a_loopback_public_url(host):
    settings = CommonSettings(followthrough_public_url="http://localhost:8002", followthrough_secret_key=WEAK)
    with pytest.raises(InsecureSecretKey) as refused:
        require_strong_secret_key(settings, listen_host=host)
    message = str(refused.value)
    assert "FOLLOWTHROUGH_SECRET_KEY" in message and f"listens on {host}" in message and "token_urlsafe" in message
    assert "'x'" not in message and "`x`" not in message


def test_on_loopback_alone_the_development_key_still_starts():
    require_strong_secret_key(CommonSettings(followthrough_secret_key=WEAK), listen_host="127.0.0.1")
    require_strong_secret_key(CommonSettings(followthrough_secret_key=WEAK))  # no listener: the CLI's scan
    require_strong_secret_key(CommonSettings(followthrough_secret_key=STRONG), listen_host="0.0.0.0")


def _intake(public: str, intake: str) -> IntakeSettings:
    return IntakeSettings(followthrough_public_url=public, followthrough_intake_public_url=intake)


def _require(settings: IntakeSettings) -> None:
    require_https_intake(settings, settings.intake_url)  # as intake's app does at start


@pytest.mark.parametrize("intake", ["http://127.0.0.1:8001", "http://intake.example.org", "intake.example.org"])
def test_an_https_site_refuses_a_plain_http_intake_naming_the_setting(intake):
    with pytest.raises(InsecureTransport) as refused:
        _require(_intake("https://followthrough.example.org", intake))
    message = str(refused.value)
    assert "FOLLOWTHROUGH_INTAKE_PUBLIC_URL" in message and "https://" in message and intake.rstrip("/") in message
    assert isinstance(refused.value, RefusedToStart)


@pytest.mark.parametrize(("public", "intake"), [("https://followthrough.example.org", "https://intake.example.org"),
                                                ("HTTPS://followthrough.example.org", "HTTPS://intake.example.org"),
                                                ("http://127.0.0.1:8002", "http://127.0.0.1:8001"),
                                                ("http://127.0.0.1:8002", "https://intake.example.org")])
def test_matching_or_plain_development_addresses_start(public, intake):
    _require(_intake(public, intake))


def test_intake_refuses_to_start_behind_an_https_site_on_plain_http():
    from services.intake.app import create_app

    settings = IntakeSettings(followthrough_public_url="https://followthrough.example.org",
                              followthrough_intake_public_url="http://intake.example.org",
                              followthrough_secret_key=STRONG)
    with pytest.raises(InsecureTransport, match="FOLLOWTHROUGH_INTAKE_PUBLIC_URL"):
        create_app(settings)
