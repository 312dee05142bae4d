"""The panel's access code, with wrong attempts limited per client.

Attempts are counted per (panel, client), so a stranger typing wrong codes
locks out only themselves, never the panel. The client is kept only as a
keyed hash of its address, and only for the counting window. The count is
one row per (panel, client), counted up in one SQL statement, so replicas
(or threads) racing each other lock at the same count as one at a time.
A lock still costs the panel time, so a lock gives that panel's commitments
waiting for its check one more day before silence counts as "kept": once
per panel per day, however many clients lock themselves out that day.
"""

from __future__ import annotations

import datetime as dt

from services.common import accesscode
from services.common.clock import Clock
from services.common.i18n import N_
from services.tracker.usecases.errors import NotFound, TooManyAttempts, WrongCode
from services.tracker.usecases.unitofwork import Storage

ALLOWED = 10
WINDOW = dt.timedelta(minutes=15)


class AccessCodes:
    """Checks a panel's access code; `allowed` wrong codes per client per WINDOW."""

    def __init__(self, storage: Storage, clock: Clock, allowed: int = ALLOWED) -> None:
        self.storage, self.clock, self.allowed = storage, clock, allowed

    def check(self, commitment_id: str, code: str, client: str) -> None:
        """The code of the panel that `commitment_id` belongs to (a verdict, a reopening)."""
        with self.storage.begin() as uow:
            row = uow.commitments.get(commitment_id)
            found = row and (row.panel, _digest(uow, row.panel))
        if not found:
            raise NotFound(f"There is no commitment {commitment_id}; check the id.")
        self._check(*found, code, client)

    def check_recommendation(self, recommendation_id: str, code: str, client: str) -> None:
        """The code of the panel that made `recommendation_id` (its reply to a decision)."""
        with self.storage.begin() as uow:
            rec = uow.recommendations.get(recommendation_id)
            found = rec and (rec.panel, _digest(uow, rec.panel))
        if not found:
            raise NotFound(f"There is no recommendation {recommendation_id}; check the id.")
        self._check(*found, code, client)

    def check_panel(self, slug: str, code: str, client: str) -> None:
        """The code of the panel `slug` itself (the trust pulse); counted with the same limit."""
        with self.storage.begin() as uow:
            panel = uow.panels.get(slug)
        if panel is None:
            raise NotFound(f"There is no panel {slug}; check the link you were given.")
        self._check(slug, panel.access_code_sha256, code, client)

    def _check(self, panel: str, code_digest: str | None, code: str, client: str) -> None:
        clock = self.clock
        now = clock.now()
        with self.storage.begin() as uow:
            uow.access.forget_expired(now)
            limited = uow.access.failures(panel, client, now) >= self.allowed
        # The slow hash (tens of milliseconds) runs outside any transaction, so it holds no lock;
        # the count below refuses past the limit by itself, so nothing is lost by the split.
        wrong = not limited and not accesscode.matches(code, code_digest)
        if wrong:  # counted, and committed, before we answer
            with self.storage.begin() as uow:
                # The wrong code that reaches the limit starts a full WINDOW of lock, as the answer says.
                failures = uow.access.count(panel, client, now, now + WINDOW, self.allowed)
                if failures is None:  # a racing request took the last attempt
                    limited, wrong = True, False
                elif failures == self.allowed and uow.access.first_lock_today(panel, clock.today()):
                    # A lock must not run out the panel's time to check "done": one more day (the
                    # window's unit), once per panel per day.
                    uow.commitments.give_a_day(panel, clock.today())
        if limited:
            raise TooManyAttempts(N_("Wait 15 minutes, then try again with the code your youth worker gave you."),
                                  retry_after=int(WINDOW.total_seconds()))
        if wrong:
            # The words stay English in the API; the panel's page shows them in its language (N_).
            raise WrongCode(N_("This access code is not right for this panel. Ask your youth worker for it."),
                            field="access_code", fix="Use the panel's access code, exactly as given.")


def _digest(uow, panel: str) -> str | None:
    """What the panel's code is checked against; None while the panel's event is on its way."""
    found = uow.panels.get(panel)
    return found.access_code_sha256 if found else None
