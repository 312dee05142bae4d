"""The tracker as a running service: the parts from bootstrap, plus its faust agents, its
scheduler, its outbox relay and its HTTP routes."""

from __future__ import annotations

from contextlib import AsyncExitStack

from fastapi import FastAPI
from faust.contrib.asgi import faust_app_running

from schemas.policy import load_policy_file
from services.common import health
from services.common.clock import SYSTEM, Clock
from services.common.i18n import locale_dir
from services.common.lag import LagMonitor
from services.common.outbox import make_producer
from services.common.service import in_thread, lifespan, serve
from services.common.settings import require_strong_secret_key
from services.common.signin import web as staff_signin
from services.common.signin.web import StaffSignin, oidc_client
from services.common.streams import make_faust_app
from services.common.topics import ensure_topics
from services.tracker.bootstrap import bootstrap
from services.tracker.entrypoints import agents
from services.tracker.entrypoints.scheduler import ScanScheduler
from services.tracker.settings import TrackerSettings
from services.tracker.web import (
    api,
    approvals,
    feeds,
    me,
    panel,
    pulse,
    ratelimit,
    register,
    reportpdf,
    reports,
    respond,
    sessionpack,
    signin,
)
from services.tracker.web import errors as web_errors

DEFAULT_PORT = 8002


def create_app(settings: TrackerSettings | None = None, clock: Clock = SYSTEM) -> FastAPI:
    settings = settings or TrackerSettings()
    require_strong_secret_key(settings)  # before anything starts: a weak key on a public URL stops here
    load_policy_file(settings.followthrough_policy_file)  # a bad file stops start-up, loudly
    oidc_client(settings, clock)  # a half-set force sign-in stops start-up here, not at the first sign-in

    async def start(app: FastAPI, parts: AsyncExitStack) -> None:
        tracker = bootstrap(settings, clock)
        parts.push_async_callback(in_thread(tracker.engine.dispose))
        ensure_topics(settings.kafka_bootstrap_servers, prefix=settings.followthrough_topic_prefix,
                      replication_factor=settings.kafka_replication_factor)
        relay = tracker.relay()
        scheduler = ScanScheduler(tracker.scanner, settings.followthrough_scan_interval,
                                  after_pass=lambda: (relay.wake(), tracker.page_cache.clear()),
                                  audit_interval_s=settings.followthrough_audit_interval)
        tracker.after_write = lambda: (tracker.page_cache.clear(), relay.wake(), scheduler.run_soon())
        faust_app = make_faust_app("followthrough-tracker", settings.kafka_bootstrap_servers,
                                   settings.followthrough_topic_prefix, settings.followthrough_commit_interval)
        agents.register(faust_app, tracker.handlers(), settings.followthrough_topic_prefix)
        _expose(app, tracker, relay)
        if settings.followthrough_outbox_relay:
            relay.start()
            parts.push_async_callback(in_thread(relay.stop))
        lag = LagMonitor.for_group(faust_app, settings.kafka_bootstrap_servers,
                                   settings.followthrough_topic_prefix, agents.CONSUMED, "tracker")
        lag.start()
        parts.push_async_callback(in_thread(lag.stop))
        scheduler.start()
        parts.push_async_callback(in_thread(scheduler.stop))
        await parts.enter_async_context(faust_app_running(faust_app))

    app = FastAPI(title="followthrough tracker", version="1.0.0",
                  description="Commitments, their escalation ladder, and the panel's view of them.",
                  lifespan=lifespan(start, settings))
    health.install_edges(app, settings, public_url=settings.public_url, problem_base=settings.public_url,
                         guards=lambda app: ratelimit.install(app, settings.followthrough_page_rate_limit,
                                                               settings.followthrough_verdict_rate_limit),
                         locale=locale_dir(__file__))
    web_errors.install(app)
    staff_signin.install(app)
    app.include_router(api.router)
    app.include_router(respond.router)
    app.include_router(register.router)
    app.include_router(reportpdf.router)  # before the page's route, whose {period} would take "….pdf"
    app.include_router(reports.router)
    app.include_router(panel.router)
    app.include_router(sessionpack.router)
    app.include_router(pulse.router)
    app.include_router(feeds.router)
    app.include_router(approvals.router)
    app.include_router(me.router)
    app.include_router(signin.router)
    return app


def _expose(app: FastAPI, tracker, relay) -> None:
    """What the routes read from `request.app.state`."""
    s = app.state
    s.tracker, s.settings, s.engine, s.relay, s.clock = tracker, tracker.settings, tracker.engine, relay, tracker.clock
    s.links, s.approvals, s.csrf, s.recorder = tracker.links, tracker.approvals, tracker.csrf, tracker.recorder
    s.page_cache, s.after_write = tracker.page_cache, lambda: tracker.after_write()
    s.access, s.storage = tracker.access, tracker.storage
    s.staff = StaffSignin(tracker.settings, tracker.engine, tracker.clock, tracker.settings.public_url, "tracker")


def scan_once(retry_parked: bool = False) -> str:
    """`followthrough scan`: one pass now, and its events published. `retry_parked`: first clear the
    mark of every row an earlier pass parked, so this pass decides them again."""
    tracker = bootstrap()
    unparked = None
    if retry_parked:
        unparked, result = tracker.scanner.retry_parked()
    else:
        result = tracker.scanner.run()
    s = tracker.settings
    producer = make_producer(s.kafka_bootstrap_servers, s.followthrough_topic_prefix, s.kafka_replication_factor)
    relay = tracker.relay()
    while relay.relay_once(producer):
        pass
    producer.close()
    return str(result) if unparked is None else f"retried {unparked} parked rows; {result}"


def main(host: str | None = None, port: int | None = None) -> None:
    settings = TrackerSettings()
    serve(create_app(settings), "tracker", host, port or DEFAULT_PORT, settings)
