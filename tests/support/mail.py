"""What the test SMTP server has received."""

from __future__ import annotations

import time


def mails_to(smtp, address: str, expect: int, timeout: float = 5.0) -> list:
    """The mails to `address` (any case), once there are `expect` of them or `timeout` seconds have gone."""
    deadline = time.monotonic() + timeout
    while True:
        mails = [m for m in smtp.snapshot() if address.lower() in (r.lower() for r in m.envelope_to)]
        if len(mails) >= expect or time.monotonic() > deadline:
            return mails
        time.sleep(0.1)
