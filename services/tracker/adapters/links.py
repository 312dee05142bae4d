"""Signed respond links: one commitment, one email address, an expiry.

The token also carries the owner's email and how many handovers came before it, so handing
the commitment to a new owner makes the old owner's links stop working, and they stay dead
when the commitment is handed back to that owner later (the count has moved on)."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired

from services.common.clock import SYSTEM, Clock
from services.common.i18n import N_
from services.common.signing import timed_serializer

SALT = "followthrough.respond"


class LinkError(ValueError):
    """The link is expired, tampered with, or for another owner; the text says which."""


class RespondLinks:
    def __init__(self, secret_key: str, public_url: str, max_age_days: int = 30, clock: Clock = SYSTEM) -> None:
        self._s = timed_serializer(secret_key, SALT, clock)
        self.public_url, self.max_age = public_url, max_age_days * 86400

    def url(self, commitment_id: str, email: str, handovers: int = 0) -> str:
        token = self.token(commitment_id, email, handovers)
        return f"{self.public_url}/commitments/{commitment_id}/respond?token={token}"

    def token(self, commitment_id: str, email: str, handovers: int = 0) -> str:
        return self._s.dumps({"c": commitment_id, "e": email, "h": handovers})

    def check(self, token: str, commitment_id: str, current_owner_email: str, handovers: int = 0) -> str:
        try:
            data = self._s.loads(token, max_age=self.max_age)
        except SignatureExpired:
            raise LinkError(N_("This link has expired. Use the link in your latest email, or ask for a new "
                               "one.")) from None
        except BadSignature:
            raise LinkError(N_("This link is not valid. Copy the whole link from your email.")) from None
        if data.get("c") != commitment_id:
            raise LinkError(N_("This link is for a different commitment."))
        if str(data.get("e", "")).lower() != current_owner_email.lower():
            raise LinkError(N_("This commitment has a new owner, so this link no longer works."))
        if data.get("h", 0) != handovers:  # links from before the count was signed are from handover 0
            raise LinkError(N_("This commitment has changed hands since this link was sent, so it no longer "
                               "works. Use the link in your latest email."))
        return data["e"]


class ApprovalLinks:
    """The supervisor's link to approve one requested deadline: it names the commitment, the
    supervisor's email and the date asked for, so it stops working once the request changes."""

    SALT = "followthrough.approve"

    def __init__(self, secret_key: str, public_url: str, max_age_days: int = 30, clock: Clock = SYSTEM) -> None:
        self._s = timed_serializer(secret_key, self.SALT, clock)
        self.public_url, self.max_age = public_url, max_age_days * 86400

    def url_for(self, commitment_id: str, email: str, requested_due: str) -> str:
        token = self._s.dumps({"c": commitment_id, "e": email, "d": requested_due})
        return f"{self.public_url}/commitments/{commitment_id}/approve?token={token}"

    def check(self, token: str, commitment_id: str, supervisor_email: str, requested_due: str | None) -> None:
        try:
            data = self._s.loads(token, max_age=self.max_age)
        except SignatureExpired:
            raise LinkError(N_("This link has expired. The owner can ask again.")) from None
        except BadSignature:
            raise LinkError(N_("This link is not valid. Copy the whole link from your email.")) from None
        if data.get("c") != commitment_id:
            raise LinkError(N_("This link is for a different commitment."))
        if str(data.get("e", "")).lower() != supervisor_email.lower():
            raise LinkError(N_("This link is for the supervisor named on the commitment's ladder, who has "
                               "changed."))
        if requested_due is None or data.get("d") != requested_due:
            raise LinkError(N_("There is no request for this date any more: it was approved, or a new one "
                               "replaced it."))
