"""One APScheduler interval job that runs the scanner. Deadlines live in our
own indexed table, not in APScheduler's job store, so replicas never share
a job store (which APScheduler 3 does not support)."""

from __future__ import annotations

import datetime as dt
from typing import Callable

import structlog
from apscheduler.schedulers.background import BackgroundScheduler
from prometheus_client import Counter, Gauge

from services.tracker.usecases import auditor
from services.tracker.usecases.scan import Scanner

log = structlog.get_logger()
JOB = "scan"
PASS_FAILURES = Counter("followthrough_scan_failures_total", "Scan passes that failed as a whole")
LAST_SUCCESS = Gauge("followthrough_scan_last_success_timestamp_seconds",
                     "When the last scan pass finished without failing (Unix time)")


class ScanScheduler:
    def __init__(self, scanner: Scanner, interval_s: float, after_pass: Callable[[], None],
                 audit_interval_s: float = 300.0) -> None:
        self.scanner, self.after_pass = scanner, after_pass
        self.clock = scanner.clock
        self.auditor = auditor.Auditor(scanner.engine, scanner.policies, self.clock, scan_interval_s=interval_s)
        self._soon: dt.datetime | None = None
        self._sched = BackgroundScheduler(timezone="UTC")
        now = dt.datetime.now(dt.timezone.utc)  # APScheduler runs on the machine's real time
        self._sched.add_job(self._tick, "interval", seconds=interval_s, id=JOB, max_instances=1,
                            coalesce=True, misfire_grace_time=None, next_run_time=now)
        self._sched.add_job(self._audit, "interval", seconds=audit_interval_s, id="audit", max_instances=1,
                            coalesce=True, misfire_grace_time=None, next_run_time=now + dt.timedelta(seconds=5))

    def start(self) -> None:
        self._sched.start()

    def stop(self) -> None:
        self._sched.shutdown(wait=True)

    def run_soon(self) -> None:
        """New work arrived: scan soon rather than at the next interval (at most once a second,
        so a stream of new commitments is scanned in batches, not one pass per message)."""
        now = dt.datetime.now(dt.timezone.utc)  # APScheduler runs on the machine's real time
        if self._soon and self._soon > now:
            return
        self._soon = now + dt.timedelta(seconds=1)
        try:
            self._sched.modify_job(JOB, next_run_time=self._soon)
        except Exception:  # the scheduler is stopping; the next start scans anyway
            pass

    def _tick(self) -> None:
        try:
            result = self.scanner.run(self.clock.now())
        except Exception:
            PASS_FAILURES.inc()
            log.exception("scan.failed")  # the database may be away; the next tick tries again
            return
        LAST_SUCCESS.set(self.clock.now().timestamp())
        if result.notices:
            self.after_pass()

    def _audit(self) -> None:
        try:
            self.auditor.run()
        except Exception:
            log.exception("audit.failed")
