"""Wires the tracker: database, faust agents, scheduler, outbox relay, HTTP."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from faust.contrib.asgi import faust_app_running

from services.common import headers, health, problems
from services.common.clock import SYSTEM, Clock
from services.common.db import make_engine
from services.common.lag import LagMonitor
from services.common.migrate import upgrade, upgrade_common
from services.common.outbox import OutboxRelay
from services.common.settings import require_strong_secret_key
from services.common.streams import make_faust_app
from services.common.topics import ensure_topics
from services.tracker import agents, api, approvals, feeds, pages, ratelimit, store
from services.tracker.csrf import Csrf
from schemas.policy import load_policy_file
from services.tracker.handlers import Handlers
from services.tracker.links import ApprovalLinks, RespondLinks
from services.tracker.notices import NoticeRecorder
from services.tracker.pagecache import PageCache
from services.tracker.scan import Scanner
from services.tracker.scheduler import ScanScheduler
from services.tracker.settings import TrackerSettings

MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_PORT = 8002


def migrate(engine) -> None:
    upgrade_common(engine)
    upgrade(engine, MIGRATIONS, "tracker_alembic_version", store.metadata)


def build_recorder(settings: TrackerSettings, clock: Clock = SYSTEM) -> NoticeRecorder:
    links = RespondLinks(settings.followthrough_secret_key, settings.public_url, settings.respond_link_days, clock)
    approvals = ApprovalLinks(settings.followthrough_secret_key, settings.public_url, settings.respond_link_days,
                              clock)
    return NoticeRecorder(settings.public_url, links.url,
                          lambda row, email: approvals.url_for(row.id, email, row.requested_due.isoformat()))


def build_scanner(settings: TrackerSettings, engine, clock: Clock = SYSTEM) -> Scanner:
    return Scanner(engine, load_policy_file(settings.followthrough_policy_file), build_recorder(settings, clock),
                   clock=clock)


def create_app(settings: TrackerSettings | None = None, clock: Clock = SYSTEM) -> FastAPI:
    settings = settings or TrackerSettings()
    require_strong_secret_key(settings)  # before anything starts: a weak key on a public URL stops here
    policies = load_policy_file(settings.followthrough_policy_file)  # a bad file stops start-up, loudly

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        engine = make_engine(settings.database_url)
        migrate(engine)
        ensure_topics(settings.kafka_bootstrap_servers, prefix=settings.followthrough_topic_prefix)
        relay = OutboxRelay(engine, store.outbox, settings.kafka_bootstrap_servers,
                            prefix=settings.followthrough_topic_prefix)
        page_cache = PageCache()
        scheduler = ScanScheduler(build_scanner(settings, engine, clock), settings.followthrough_scan_interval,
                                  after_pass=lambda: (relay.wake(), page_cache.clear()),
                                  audit_interval_s=settings.followthrough_audit_interval)
        after_write = lambda: (page_cache.clear(), relay.wake(), scheduler.run_soon())  # noqa: E731
        handlers = Handlers(engine, policies, wake=after_write)
        faust_app = make_faust_app("followthrough-tracker", settings.kafka_bootstrap_servers,
                                   settings.followthrough_topic_prefix, settings.followthrough_commit_interval)
        agents.register(faust_app, handlers, settings.followthrough_topic_prefix)
        app.state.settings, app.state.engine, app.state.relay = settings, engine, relay
        app.state.links = RespondLinks(settings.followthrough_secret_key, settings.public_url,
                                       settings.respond_link_days, clock)
        app.state.csrf = Csrf(settings.followthrough_secret_key, clock, public_url=settings.public_url)
        app.state.clock = clock
        app.state.recorder = build_recorder(settings, clock)
        app.state.approvals = ApprovalLinks(settings.followthrough_secret_key, settings.public_url,
                                            settings.respond_link_days, clock)
        app.state.after_write, app.state.page_cache = after_write, page_cache
        if settings.followthrough_outbox_relay:
            relay.start()
        lag = LagMonitor.for_group(faust_app, settings.kafka_bootstrap_servers,
                                   settings.followthrough_topic_prefix, agents.CONSUMED, "tracker")
        lag.start()
        scheduler.start()
        async with faust_app_running(faust_app):
            yield
        scheduler.stop()
        lag.stop()
        if relay.is_alive():
            relay.stop()
        engine.dispose()

    app = FastAPI(title="followthrough tracker", version="1.0.0",
                  description="Commitments, their escalation ladder, and the panel's view of them.",
                  lifespan=lifespan)
    problems.install(app)
    ratelimit.install(app, settings.followthrough_page_rate_limit, settings.followthrough_verdict_rate_limit)
    headers.install(app)  # outermost: a 429 carries the headers too
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(feeds.router)
    app.include_router(approvals.router)
    health.install(app, settings.kafka_bootstrap_servers)
    return app


def scan_once() -> str:
    """`followthrough scan`: one pass now, its events left in the outbox for the relay."""
    settings = TrackerSettings()
    require_strong_secret_key(settings)  # the scan signs the respond links in its emails
    engine = make_engine(settings.database_url)
    migrate(engine)
    result = build_scanner(settings, engine).run()
    relay = OutboxRelay(engine, store.outbox, settings.kafka_bootstrap_servers,
                            prefix=settings.followthrough_topic_prefix)
    from services.common.outbox import make_producer
    producer = make_producer(settings.kafka_bootstrap_servers, settings.followthrough_topic_prefix)
    while relay.relay_once(producer):
        pass
    producer.close()
    return str(result)


def main(host: str | None = None, port: int | None = None) -> None:
    settings = TrackerSettings()
    health.serve(create_app(settings), "tracker", host, port or DEFAULT_PORT)
