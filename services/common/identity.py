"""Who a signed-in member of staff is, as every service sees them once the force's identity
provider (or a one-time email link) has vouched for them (contract §8.1).

A person is their verified email, lower-cased, matched against commitments' owners and ladders;
their roles come from the provider's role claim; a facilitator records only for the panels they
are bound to. The sign-in adapter puts the `Person` on `request.state.person`; routes read it here."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request

from services.common.problems import UNAUTHENTICATED

ADMIN, FACILITATOR = "admin", "facilitator"


@dataclass(frozen=True)
class Person:
    email: str  # verified, lower-cased
    session_id: str  # the server-side session this request came with (sign-out ends it)
    roles: frozenset[str] = field(default_factory=frozenset)  # ADMIN, FACILITATOR; anyone may own or be on a ladder
    panels: frozenset[str] = field(default_factory=frozenset)  # a facilitator's bound panels
    name: str | None = None

    def may_write_panel(self, slug: str) -> bool:
        return ADMIN in self.roles or (FACILITATOR in self.roles and slug in self.panels)


def signed_in(request: Request) -> Person | None:
    """The person signed in on this request, if any."""
    return getattr(request.state, "person", None)


def require_person(request: Request) -> Person:
    """A FastAPI dependency: the signed-in person, or 401 naming the way in."""
    person = signed_in(request)
    if person is None:
        raise UNAUTHENTICATED("Sign in first: open /signin and use your force account.")
    return person
