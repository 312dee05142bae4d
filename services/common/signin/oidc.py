"""The force's OpenID provider, as a client sees it (contract §8.1): discovery, the authorization
code flow with PKCE S256, and the ID token checked (signature against the provider's JWKS, then
the claims in `claims.py`). Built on Authlib (its OAuth 2 client for the code exchange) and
joserfc (Authlib's JOSE library) for the token's signature."""

from __future__ import annotations

import secrets
import time
import warnings
from dataclasses import dataclass

import httpx
from authlib.integrations.base_client import OAuthError
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from services.common.clock import Clock
from services.common.signin.claims import START_AGAIN, Refused, Who, check_claims, who

with warnings.catch_warnings():  # Authlib 1.7+ nudges towards httpx2 on import; httpx is what we run on
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

METADATA_TTL_S = 3600  # discovery and keys are fetched again after this (keys also on an unknown `kid`)
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
UNREACHABLE = Refused(503, "Your force's sign-in service did not answer",
                      "We could not reach it just now. Wait a minute, then try again.")


@dataclass(frozen=True)
class Authorization:
    url: str  # where the browser goes to sign in
    state: str
    nonce: str
    verifier: str  # the PKCE code verifier, kept on the server


class OidcClient:
    def __init__(self, issuer: str, client_id: str, client_secret: str, *, roles_claim: str, tenants: list[str],
                 clock: Clock, transport: httpx.BaseTransport | None = None) -> None:
        """`transport`: how HTTP reaches the provider (tests wrap it to change what comes back)."""
        self.issuer, self.client_id, self._secret = issuer.rstrip("/"), client_id, client_secret
        self.roles_claim, self.tenants, self.clock, self.transport = roles_claim, tenants, clock, transport
        self._metadata: tuple[float, dict] | None = None
        self._keys: tuple[float, KeySet] | None = None

    def _get(self, url: str) -> dict:
        try:
            with httpx.Client(transport=self.transport, timeout=10) as http:
                response = http.get(url)
                response.raise_for_status()
                return response.json()
        except (httpx.HTTPError, ValueError):
            raise UNREACHABLE from None

    def metadata(self) -> dict:
        """The provider's discovery document, kept for an hour."""
        if self._metadata is None or self._metadata[0] < time.monotonic():
            doc = self._get(f"{self.issuer}/.well-known/openid-configuration")
            self._metadata = (time.monotonic() + METADATA_TTL_S, doc)
        return self._metadata[1]

    def _key_set(self, fresh: bool = False) -> KeySet:
        if fresh or self._keys is None or self._keys[0] < time.monotonic():
            keys = KeySet.import_key_set(self._get(self.metadata()["jwks_uri"]))
            self._keys = (time.monotonic() + METADATA_TTL_S, keys)
        return self._keys[1]

    def _oauth(self, redirect_uri: str) -> OAuth2Client:
        return OAuth2Client(self.client_id, self._secret, redirect_uri=redirect_uri, scope="openid email profile",
                            code_challenge_method="S256", transport=self.transport, timeout=10)

    def authorization(self, redirect_uri: str) -> Authorization:
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        with self._oauth(redirect_uri) as oauth:
            url, _ = oauth.create_authorization_url(self.metadata()["authorization_endpoint"], state=state,
                                                    nonce=nonce, code_verifier=verifier)
        return Authorization(url, state, nonce, verifier)

    def person(self, code: str, redirect_uri: str, verifier: str, nonce: str) -> Who:
        """The person the provider vouches for with this code, every check passed; Refused otherwise."""
        id_token = self._exchange(code, redirect_uri, verifier)
        claims = self._verified_claims(id_token)
        check_claims(claims, issuer=self.metadata()["issuer"], client_id=self.client_id, nonce=nonce,
                     now=self.clock.now().timestamp(), tenants=self.tenants)
        return who(claims, self.roles_claim)

    def _exchange(self, code: str, redirect_uri: str, verifier: str) -> str:
        with self._oauth(redirect_uri) as oauth:
            try:
                token = oauth.fetch_token(self.metadata()["token_endpoint"], code=code, code_verifier=verifier,
                                          grant_type="authorization_code")
            except OAuthError:  # invalid_grant: a code used twice, expired, or not ours
                raise Refused(400, "This sign-in was already used",
                              f"Each sign-in works once and for a few minutes only. {START_AGAIN}") from None
            except httpx.HTTPError:
                raise UNREACHABLE from None
        if not isinstance(token.get("id_token"), str):
            raise Refused(400, "Your force's sign-in service said nothing about you",
                          f"Its answer had no ID token. {START_AGAIN}")
        return token["id_token"]

    def _verified_claims(self, id_token: str) -> dict:
        """The token's claims once its signature checks out with one of the provider's keys."""
        allowed = [a for a in self.metadata().get("id_token_signing_alg_values_supported", ["RS256"])
                   if a in SIGNING_ALGORITHMS]
        for fresh in (False, True):  # the provider may have rolled its keys since we fetched them
            try:
                return jwt.decode(id_token, self._key_set(fresh), algorithms=allowed).claims
            except (JoseError, ValueError):
                continue
        raise Refused(400, "This sign-in could not be checked",
                      f"The answer's signature did not match your force's sign-in service. {START_AGAIN}")
