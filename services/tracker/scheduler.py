"""One APScheduler interval job that runs the scanner. Deadlines live in our
own indexed table, not in APScheduler's job store, so replicas never share
a job store (which APScheduler 3 does not support)."""

from __future__ import annotations

import datetime as dt
from typing import Callable

import structlog
from apscheduler.schedulers.background import BackgroundScheduler

from services.tracker.clock import utcnow
from services.tracker.scan import Scanner

log = structlog.get_logger()
JOB = "scan"


class ScanScheduler:
    def __init__(self, scanner: Scanner, interval_s: float, after_pass: Callable[[], None]) -> None:
        self.scanner, self.after_pass = scanner, after_pass
        self._sched = BackgroundScheduler(timezone="UTC")
        self._sched.add_job(self._tick, "interval", seconds=interval_s, id=JOB, max_instances=1,
                            coalesce=True, misfire_grace_time=None, next_run_time=dt.datetime.now(dt.timezone.utc))

    def start(self) -> None:
        self._sched.start()

    def stop(self) -> None:
        self._sched.shutdown(wait=True)

    def run_soon(self) -> None:
        """New work arrived: scan now rather than at the next interval."""
        try:
            self._sched.modify_job(JOB, next_run_time=dt.datetime.now(dt.timezone.utc))
        except Exception:  # the scheduler is stopping; the next start scans anyway
            pass

    def _tick(self) -> None:
        try:
            result = self.scanner.run(utcnow())
        except Exception:
            log.exception("scan.failed")  # the database may be away; the next tick tries again
            return
        if result.notices:
            self.after_pass()
