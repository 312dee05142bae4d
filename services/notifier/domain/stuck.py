"""The delivery auditor's rule: which deliveries should have ended by now and have not.

A delivery is stuck when it is
- `sending` past its lease: its claimant died and no replica has taken it back
  (a running notifier takes such a row within one pass, so this lasts only while
  none runs, or while claiming fails);
- still being tried (attempts > 0 and not yet sent or failed) past the point where
  the sender gives up on it: the ladder's next step (`notice.give_up_after`), or
  FOLLOWTHROUGH_DELIVERY_GIVE_UP_HOURS after it was queued, whichever comes first.
  The sender only gives up at the first attempt after that point, so one longest
  backoff and one lease of grace are allowed before it counts.

The ledger's storage asks the same question in SQL (`adapters/sql_ledger.py`,
`stuck_condition`), from the same `StuckRule` values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

UNFINISHED = ("pending", "sending", "digest")  # states a delivery is still being tried in


@dataclass(frozen=True)
class StuckRule:
    lease: dt.timedelta
    give_up_hours: dt.timedelta
    max_backoff: float

    @property
    def grace(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.max_backoff) + self.lease

    def abandoned_before(self, now: dt.datetime) -> dt.datetime:
        """A `sending` claim taken before this has outlived its lease."""
        return now - self.lease

    def latest(self, now: dt.datetime) -> dt.datetime:
        """A give-up point before this should have been acted on."""
        return now - self.grace

    def is_stuck(self, now: dt.datetime, *, state: str, attempts: int, claimed_at: dt.datetime | None,
                 give_up_after: dt.datetime | None, created_at: dt.datetime) -> bool:
        if state == "sending" and claimed_at is not None and claimed_at < self.abandoned_before(now):
            return True
        latest = self.latest(now)
        past_step = give_up_after is not None and give_up_after < latest
        return state in UNFINISHED and attempts > 0 and (past_step or created_at < latest - self.give_up_hours)
