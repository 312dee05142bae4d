"""The staff session cookie's name and flags follow the public URL (Secure and `__Host-`
everywhere but plain http on this machine), each service has its own, and a half-set force
sign-in stops a service before it starts (services/common/signin/web.py)."""

from __future__ import annotations

import pytest
from fastapi import Response

from services.common.clock import SYSTEM
from services.common.settings import CommonSettings, RefusedToStart
from services.common.signin.web import StaffSignin, oidc_client

OIDC = {"followthrough_oidc_issuer": "https://login.example/tenant/v2.0", "followthrough_oidc_client_id": "c",
        "followthrough_oidc_client_secret": "s"}


def _staff(public_url: str, service: str = "tracker") -> StaffSignin:
    return StaffSignin(CommonSettings(**OIDC), engine=None, clock=SYSTEM, public_url=public_url, service=service)


@pytest.mark.parametrize("url, name, secure", [
    ("http://localhost:8002", "ft_staff_tracker", False),
    ("http://127.0.0.1:8002", "ft_staff_tracker", False),
    ("https://followthrough.force.example", "__Host-ft_staff_tracker", True),
    ("http://followthrough.force.example", "__Host-ft_staff_tracker", True),  # never a session in clear
])
def test_the_cookie_is_secure_unless_the_service_is_plain_http_on_this_machine(url, name, secure):
    staff = _staff(url)
    response = Response()
    staff._set(response, staff.cookie, "id", 60)
    header = response.headers["set-cookie"]
    assert staff.cookie == name and ("Secure" in header) == secure
    assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/" in header
    assert staff.redirect_uri == f"{url}/signin/callback"


def test_each_service_has_its_own_cookies():
    intake, tracker = _staff("http://localhost:8001", "intake"), _staff("http://localhost:8002")
    assert {intake.cookie, intake.state_cookie}.isdisjoint({tracker.cookie, tracker.state_cookie})


def test_an_issuer_without_its_client_stops_start_up_and_no_issuer_means_email_links_only():
    with pytest.raises(RefusedToStart, match="FOLLOWTHROUGH_OIDC_CLIENT_SECRET"):
        oidc_client(CommonSettings(followthrough_oidc_issuer="https://login.example", followthrough_oidc_client_id="c"),
                    SYSTEM)
    assert oidc_client(CommonSettings(), SYSTEM) is None
    assert not StaffSignin(CommonSettings(), None, SYSTEM, "http://localhost:8002", "tracker").enabled


def test_allowed_tenants_are_read_comma_separated_from_the_environment(monkeypatch):
    monkeypatch.setenv("FOLLOWTHROUGH_OIDC_ALLOWED_TENANTS", " tenant-a, tenant-b ,")
    assert CommonSettings().followthrough_oidc_allowed_tenants == ["tenant-a", "tenant-b"]
