"""The ID token's rules (services/common/signin/claims.py, oidc.py) without a provider: Entra's
multi-tenant issuer, the tenant list, audience, nonce, time, and who the claims name.

The Entra case runs the real client (`OidcClient`) on a synthetic discovery document whose issuer
is `https://login.microsoftonline.com/{tenantid}/v2.0`, with ID tokens signed by a key this test
makes and served from its JWKS, through an httpx MockTransport."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from joserfc import jwt
from joserfc.jwk import RSAKey

from services.common.clock import SimulatedClock
from services.common.signin.claims import Refused, check_claims, expected_issuer, who
from services.common.signin.oidc import OidcClient

ENTRA = "https://login.microsoftonline.com/{tenantid}/v2.0"
TENANT, OTHER = "9188040d-6c67-4c5b-b112-36a304b66dad", "72f988bf-86f1-41af-91ab-2d7cd011db47"
NOW = dt.datetime(2026, 12, 3, 12, tzinfo=dt.timezone.utc)
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})


def _claims(**over) -> dict:
    base = {"iss": f"https://login.microsoftonline.com/{TENANT}/v2.0", "aud": "client-1", "tid": TENANT,
            "nonce": "n-1", "iat": int(NOW.timestamp()), "exp": int(NOW.timestamp()) + 3600,
            "preferred_username": "Pat.Lead@Force.police.uk", "roles": ["followthrough.admin"], "name": "Pat"}
    return {k: v for k, v in (base | over).items() if v is not None}


def _entra(tenants: list[str], claims: dict, key: RSAKey = KEY) -> OidcClient:
    """The real client against a synthetic Entra: discovery, JWKS, and a token endpoint answering `claims`."""
    token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(200, json={
                "issuer": ENTRA, "authorization_endpoint": "https://login.example/authorize",
                "token_endpoint": "https://login.example/token", "jwks_uri": "https://login.example/keys",
                "id_token_signing_alg_values_supported": ["RS256"]})
        if path == "/keys":
            return httpx.Response(200, json={"keys": [KEY.as_dict(private=False)]})
        if path == "/token":
            assert b"code_verifier=" in request.content  # PKCE: the verifier goes with the code
            return httpx.Response(200, json={"access_token": "a", "token_type": "Bearer", "id_token": token})
        return httpx.Response(404)

    return OidcClient("https://login.microsoftonline.com/organizations/v2.0", "client-1", "secret",
                      roles_claim="roles", tenants=tenants, clock=SimulatedClock(NOW),
                      transport=httpx.MockTransport(answer))


def _person(client: OidcClient):
    return client.person("code", "https://ft.example/signin/callback", "verifier", "n-1")


def test_entra_multi_tenant_issuer_is_checked_with_the_tokens_own_tenant():
    assert _person(_entra([TENANT], _claims())).email == "pat.lead@force.police.uk"


def test_entra_token_whose_issuer_names_another_tenant_than_its_tid_is_refused():
    # A token from tenant OTHER that claims to be for TENANT: the issuer gives it away.
    forged = _claims(iss=f"https://login.microsoftonline.com/{OTHER}/v2.0")
    with pytest.raises(Refused) as refused:
        _person(_entra([], forged))
    assert refused.value.status == 400 and "wrong place" in refused.value.heading


def test_entra_token_from_a_tenant_not_allowed_is_refused():
    other = _claims(tid=OTHER, iss=f"https://login.microsoftonline.com/{OTHER}/v2.0")
    with pytest.raises(Refused) as refused:
        _person(_entra([TENANT], other))
    assert refused.value.status == 403


def test_a_token_signed_by_another_key_is_refused():
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    with pytest.raises(Refused) as refused:
        _person(_entra([TENANT], _claims(), key=stranger))
    assert "could not be checked" in refused.value.heading


def test_the_authorization_url_asks_for_a_code_with_pkce_s256_state_and_nonce():
    auth = _entra([], _claims()).authorization("https://ft.example/signin/callback")
    query = httpx.URL(auth.url).params
    assert query["response_type"] == "code" and query["code_challenge_method"] == "S256"
    assert query["state"] == auth.state and query["nonce"] == auth.nonce and "openid" in query["scope"]
    assert query["code_challenge"] != auth.verifier  # only the challenge travels; the verifier stays here


@given(st.text(alphabet="0123456789abcdef-", min_size=1, max_size=40))
def test_a_multi_tenant_issuer_is_filled_with_exactly_the_tokens_tenant(tid):
    assert expected_issuer(ENTRA, tid) == f"https://login.microsoftonline.com/{tid}/v2.0"
    assert expected_issuer("https://idp.example", tid) == "https://idp.example"


@pytest.mark.parametrize("tid", [None, "", "a/b", 7])
def test_a_multi_tenant_issuer_without_a_usable_tenant_is_refused(tid):
    with pytest.raises(Refused):
        expected_issuer(ENTRA, tid)


def _check(claims: dict, tenants: list[str] | None = None, now: dt.datetime = NOW) -> None:
    check_claims(claims, issuer=ENTRA, client_id="client-1", nonce="n-1", now=now.timestamp(), tenants=tenants or [])


@pytest.mark.parametrize("over, heading", [
    ({"aud": "someone-else"}, "meant for another service"),
    ({"aud": ["client-1", "other"]}, "meant for another service"),  # several audiences need azp = us
    ({"nonce": "n-2"}, "does not match"),
    ({"nonce": None}, "does not match"),
    ({"exp": int(NOW.timestamp()) - 61}, "expired"),
    ({"exp": None}, "expired"),
    ({"iat": int(NOW.timestamp()) + 600}, "not valid yet"),
])
def test_each_claim_is_checked(over, heading):
    with pytest.raises(Refused) as refused:
        _check(_claims(**over))
    assert heading in refused.value.heading


def test_a_minute_of_clock_difference_is_tolerated():
    _check(_claims(exp=int(NOW.timestamp()) - 30))
    _check(_claims(aud=["client-1", "other"], azp="client-1"))


def test_who_takes_a_verified_email_lower_cased_and_only_followthroughs_roles():
    person = who({"email": "A.B@Example.org", "email_verified": True, "preferred_username": "x@y.example",
                  "roles": ["followthrough.facilitator", "other.app.admin"]}, "roles")
    assert person.email == "a.b@example.org" and person.roles == {"facilitator"}


def test_who_refuses_an_unverified_email():
    with pytest.raises(Refused) as refused:
        who({"email": "a@b.example", "email_verified": False, "preferred_username": "a@b.example"}, "roles")
    assert refused.value.status == 403


def test_without_email_verified_entras_sign_in_name_is_the_address():
    # Entra sends no email_verified, and its `email` is editable by anyone in the tenant.
    person = who({"email": "chief@force.example", "preferred_username": "Me@Force.example"}, "roles")
    assert person.email == "me@force.example" and person.roles == frozenset()


def test_the_roles_claim_is_a_setting_and_may_be_a_single_string():
    assert who({"preferred_username": "a@b.example", "groups": "followthrough.admin"}, "groups").roles == {"admin"}


def test_an_account_without_an_address_is_refused():
    with pytest.raises(Refused):
        who({"name": "No Address"}, "roles")
