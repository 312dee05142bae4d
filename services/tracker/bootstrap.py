"""The one place that builds the tracker: from its settings and a clock, every part it runs
(database, policies, links, notice recorder, scanner, event handlers, page cache, outbox
relay). The web app, the CLI (`scan`, `replay`) and the tests all start here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy import Engine

from schemas.policy import PolicyFile, load_policy_file
from services.common.clock import SYSTEM, Clock
from services.common.csrf import Csrf
from services.common.db import make_engine
from services.common.migrate import upgrade_service
from services.common.outbox import OutboxRelay
from services.common.settings import require_strong_secret_key, secret
from services.tracker.adapters import scan_store, store
from services.tracker.adapters.links import ApprovalLinks, RespondLinks
from services.tracker.adapters.scan_store import SqlScanStore
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.settings import TrackerSettings
from services.tracker.usecases.access import AccessCodes
from services.tracker.usecases.ingest import Handlers
from services.tracker.usecases.notices import NoticeRecorder
from services.tracker.usecases.scan import Scanner
from services.tracker.web.pagecache import PageCache

MIGRATIONS = Path(__file__).parent / "migrations"


def migrate(engine: Engine) -> None:
    upgrade_service(engine, "tracker", MIGRATIONS, store.metadata)


@dataclass
class Tracker:
    settings: TrackerSettings
    clock: Clock
    engine: Engine
    storage: SqlStorage  # what the command use cases write through (usecases/unitofwork.py)
    policies: PolicyFile
    links: RespondLinks
    approvals: ApprovalLinks
    recorder: NoticeRecorder
    scanner: Scanner
    csrf: Csrf
    access: AccessCodes
    page_cache: PageCache = field(default_factory=PageCache)
    # Called after any write, so pages refresh, the relay publishes and the scan decides soon;
    # the web app sets it once its scheduler and relay exist.
    after_write: Callable[[], None] = lambda: None

    def handlers(self) -> Handlers:
        return Handlers(self.storage, self.policies, wake=lambda: self.after_write(), recorder=self.recorder)

    def relay(self) -> OutboxRelay:
        s = self.settings
        return OutboxRelay(self.engine, store.outbox, s.kafka_bootstrap_servers, prefix=s.followthrough_topic_prefix)


def bootstrap(settings: TrackerSettings | None = None, clock: Clock = SYSTEM, engine: Engine | None = None,
              run_migrations: bool = True) -> Tracker:
    settings = settings or TrackerSettings()
    require_strong_secret_key(settings)  # a weak key on a public URL stops here, before anything starts
    policies = load_policy_file(settings.followthrough_policy_file)  # so does a bad policy file, loudly
    engine = engine or make_engine(settings.database_url)
    if run_migrations:
        migrate(engine)
    key, url, days = secret(settings.followthrough_secret_key), settings.public_url, settings.respond_link_days
    links, approvals = RespondLinks(key, url, days, clock), ApprovalLinks(key, url, days, clock)
    recorder = NoticeRecorder(url, links.url,
                              lambda row, email: approvals.url_for(row.id, email, row.requested_due.isoformat()))
    storage = SqlStorage(engine)
    return Tracker(settings=settings, clock=clock, engine=engine, storage=storage, policies=policies, links=links,
                   approvals=approvals, recorder=recorder,
                   # A whole batch written a statement per table; a batch redone row by row
                   # writes as it goes (scan_store.immediate).
                   scanner=Scanner(engine, policies, recorder, clock=clock,
                                   store=SqlScanStore(engine, writer=scan_store.batched)),
                   csrf=Csrf(key, clock, public_url=url),
                   access=AccessCodes(storage, clock, settings.followthrough_access_code_attempts))
