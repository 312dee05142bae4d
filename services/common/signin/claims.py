"""What an ID token's claims must say before anyone is signed in, without I/O (contract §8.1).

Every check raises `Refused` with words for the person in front of the page: what went wrong and
what to do. Entra ID's multi-tenant discovery document names its issuer as
`https://login.microsoftonline.com/{tenantid}/v2.0`; a token's `iss` is that with its own `tid`
put in, so the issuer is checked against the template filled with the token's tenant, never
skipped (a token from any tenant would pass otherwise)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from services.common.i18n import N_

TENANT_PLACEHOLDER = "{tenantid}"
LEEWAY_S = 60  # clocks of the provider and ours may differ by this much
ROLE_VALUES = {"followthrough.admin": "admin", "followthrough.facilitator": "facilitator"}
START_AGAIN = N_("Go back to the sign-in page and start again.")


class Refused(Exception):
    """A sign-in that must not go on: `status` (4xx), a heading and what to do, in plain words."""

    def __init__(self, status: int, heading: str, text: str) -> None:
        super().__init__(f"{heading}: {text}")
        self.status, self.heading, self.text = status, heading, text


@dataclass(frozen=True)
class Who:
    email: str  # lower-cased
    roles: frozenset[str]
    name: str | None


def expected_issuer(discovery_issuer: str, tid: object) -> str:
    """The `iss` a token must carry: the discovery document's issuer, with a multi-tenant
    `{tenantid}` replaced by the token's own `tid`."""
    if TENANT_PLACEHOLDER not in discovery_issuer:
        return discovery_issuer
    if not isinstance(tid, str) or not tid or "/" in tid:
        raise Refused(403, "Your organisation is not named", "Your account's sign-in did not say which organisation "
                      "it belongs to. Ask your IT team to check the app registration.")
    return discovery_issuer.replace(TENANT_PLACEHOLDER, tid)


def check_tenant(tid: object, allowed: list[str]) -> None:
    if allowed and tid not in allowed:
        raise Refused(403, "This organisation may not sign in here",
                      "You signed in with an account from an organisation this service does not accept. "
                      "Sign in with your own force's account, or ask an admin to add your organisation.")


def _expired(exp: object, now: float) -> bool:
    return not isinstance(exp, int | float) or exp + LEEWAY_S < now


def check_claims(claims: dict, *, issuer: str, client_id: str, nonce: str, now: float,
                 tenants: list[str]) -> None:
    """Tenant, issuer, audience, nonce and time, in that order (the tenant first: its page is the
    one that helps)."""
    check_tenant(claims.get("tid"), tenants)
    if claims.get("iss") != expected_issuer(issuer, claims.get("tid")):
        raise Refused(400, "This sign-in came from the wrong place",
                      f"The answer did not come from your force's sign-in service. {START_AGAIN}")
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if client_id not in audiences or (len(audiences) > 1 and claims.get("azp") != client_id):
        raise Refused(400, "This sign-in was meant for another service",
                      f"The answer was made for a different application. {START_AGAIN}")
    if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(claims["nonce"], nonce):
        raise Refused(400, "This sign-in does not match", f"The answer belongs to a different sign-in. {START_AGAIN}")
    if _expired(claims.get("exp"), now):
        raise Refused(400, "This sign-in has expired", f"The answer is too old to use. {START_AGAIN}")
    iat = claims.get("iat")
    if isinstance(iat, int | float) and iat - LEEWAY_S > now:
        raise Refused(400, "This sign-in is not valid yet",
                      f"The answer is dated in the future: this computer's clock may be wrong. {START_AGAIN}")


def who(claims: dict, roles_claim: str) -> Who:
    """The person a checked token names: the `email` claim when verified (refused when
    `email_verified` is false; without `email_verified`, Entra's `preferred_username` first), and
    their followthrough roles."""
    verified = claims.get("email_verified")
    if claims.get("email") is not None and verified is False:
        raise Refused(403, "Your email address is not verified",
                      "Your account's email address has not been confirmed, so we cannot tell who you are. "
                      "Confirm it with your force's IT team, then sign in again.")
    # Entra ID sends no email_verified, and its `email` is a field anyone in the tenant may edit:
    # its sign-in name is the address then (Entra's `preferred_username`).
    email = claims.get("email") if verified is True else claims.get("preferred_username") or claims.get("email")
    if not isinstance(email, str) or "@" not in email or any(ch.isspace() for ch in email):
        raise Refused(403, "Your account has no email address",
                      "We match people by their work email address, and your account did not give one. "
                      "Ask your force's IT team to add it, then sign in again.")
    values = claims.get(roles_claim) or []
    values = [values] if isinstance(values, str) else values
    roles = frozenset(ROLE_VALUES[v] for v in values if isinstance(v, str) and v in ROLE_VALUES)
    name = claims.get("name")
    return Who(email.strip().lower(), roles, name if isinstance(name, str) else None)
