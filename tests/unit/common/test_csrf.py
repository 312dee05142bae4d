"""The tracker's form tokens: the nonce is always ours, the cookie follows the public URL's scheme."""

from __future__ import annotations

import datetime as dt

import pytest
from starlette.requests import Request
from starlette.responses import Response

from services.common.clock import SimulatedClock
from services.common.csrf import Csrf, CsrfError

CLOCK = SimulatedClock(dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc))


def _request(cookies: dict[str, str] | None = None, scheme: str = "http") -> Request:
    cookie = "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())
    return Request({"type": "http", "method": "GET", "scheme": scheme, "path": "/", "query_string": b"",
                    "server": ("127.0.0.1", 8002), "headers": [(b"cookie", cookie.encode())] if cookie else []})


def _set_cookie(csrf: Csrf, request: Request, value: str) -> str:
    return csrf.remember(request, Response(), value).headers["set-cookie"]


def test_a_cookie_the_client_chose_never_becomes_the_nonce():
    csrf = Csrf("k" * 40, CLOCK)
    attacker = _request({"ft_csrf": "chosen"})
    form, cookie = csrf.issue(attacker)
    assert "chosen" not in cookie
    with pytest.raises(CsrfError):  # the page's token with the attacker's own cookie
        csrf.check(attacker, form)
    victim = _request({"ft_csrf": cookie})
    csrf.check(victim, form)  # our own cookie and our own token


def test_a_cookie_we_signed_is_kept_so_two_tabs_both_work():
    csrf = Csrf("k" * 40, CLOCK)
    first_form, cookie = csrf.issue(_request())
    browser = _request({"ft_csrf": cookie})
    second_form, again = csrf.issue(browser)
    assert again == cookie
    csrf.check(browser, first_form)
    csrf.check(browser, second_form)


def test_another_keys_cookie_is_not_ours():
    form, cookie = Csrf("a" * 40, CLOCK).issue(_request())
    ours = Csrf("b" * 40, CLOCK)
    _, fresh = ours.issue(_request({"ft_csrf": cookie}))
    assert fresh != cookie
    with pytest.raises(CsrfError):
        ours.check(_request({"ft_csrf": cookie}), form)


def test_the_cookie_is_secure_when_the_public_url_is_https_whatever_the_request_scheme():
    csrf = Csrf("k" * 40, CLOCK, public_url="https://followthrough.example.org")
    request = _request(scheme="http")  # behind a TLS-terminating proxy
    form, cookie = csrf.issue(request)
    header = _set_cookie(csrf, request, cookie)
    assert "secure" in header.lower() and header.startswith("__Host-ft_csrf=")
    assert "samesite=strict" in header.lower() and "httponly" in header.lower() and "path=/" in header.lower()
    csrf.check(_request({"__Host-ft_csrf": cookie}), form)
    with pytest.raises(CsrfError):  # a plain-named cookie (settable from a sibling host) does not count
        csrf.check(_request({"ft_csrf": cookie}), form)


def test_the_cookie_is_not_secure_on_a_plain_http_public_url_even_over_https():
    csrf = Csrf("k" * 40, CLOCK, public_url="http://127.0.0.1:8002")
    request = _request(scheme="https")
    _, cookie = csrf.issue(request)
    header = _set_cookie(csrf, request, cookie)
    assert "secure" not in header.lower() and header.startswith("ft_csrf=")


def test_a_stale_form_is_refused():
    clock = SimulatedClock(dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc))
    csrf = Csrf("k" * 40, clock)
    form, cookie = csrf.issue(_request())
    clock.advance(dt.timedelta(hours=5))
    with pytest.raises(CsrfError):
        csrf.check(_request({"ft_csrf": cookie}), form)
