"""Wires the notifier: database, faust agent, delivery loop, delivery auditor, outbox relay, HTTP."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

from fastapi import FastAPI
from faust.contrib.asgi import faust_app_running

from services.common import health
from services.common.clock import SYSTEM, Clock
from services.common.db import make_engine
from services.common.i18n import locale_dir
from services.common.lag import LagMonitor
from services.common.service import in_thread, lifespan, serve
from services.common.settings import require_strong_secret_key
from services.common.streams import make_faust_app
from services.common.topics import ensure_topics
from services.notifier.bootstrap import bootstrap, migrate
from services.notifier.entrypoints import agents
from services.notifier.entrypoints.scheduler import audit_every
from services.notifier.settings import NotifierSettings

DEFAULT_PORT = 8003


def create_app(settings: NotifierSettings | None = None, clock: Clock = SYSTEM) -> FastAPI:
    settings = settings or NotifierSettings()
    require_strong_secret_key(settings)  # before anything starts: a weak key on a public URL stops here

    async def start(app: FastAPI, parts: AsyncExitStack) -> None:
        engine = make_engine(settings.database_url)
        parts.push_async_callback(in_thread(engine.dispose))
        migrate(engine)
        ensure_topics(settings.kafka_bootstrap_servers, prefix=settings.followthrough_topic_prefix,
                      replication_factor=settings.kafka_replication_factor)
        notifier = bootstrap(settings, engine, clock)
        relay = notifier.relay
        faust_app = make_faust_app("followthrough-notifier", settings.kafka_bootstrap_servers,
                                   settings.followthrough_topic_prefix, settings.followthrough_commit_interval)
        agents.register(faust_app, notifier.intake, settings.followthrough_topic_prefix)
        app.state.settings, app.state.engine, app.state.relay = settings, engine, relay
        if settings.followthrough_outbox_relay:
            relay.start()
            parts.push_async_callback(in_thread(relay.stop))
        lag = LagMonitor.for_group(faust_app, settings.kafka_bootstrap_servers,
                                   settings.followthrough_topic_prefix, agents.CONSUMED, "notifier")
        lag.start()
        parts.push_async_callback(in_thread(lag.stop))
        for task in (asyncio.create_task(notifier.delivery.run()),
                     asyncio.create_task(audit_every(notifier.auditor, settings.followthrough_audit_interval))):
            parts.callback(task.cancel)
        await parts.enter_async_context(faust_app_running(faust_app))

    app = FastAPI(title="followthrough notifier", version="1.0.0",
                  description="Delivers notices as email, once per notice and recipient.",
                  lifespan=lifespan(start, settings))
    # Problem type URIs on the notifier's own address (it has no public URL of its own); its
    # security headers name the site's public URL, as the tracker's do.
    health.install_edges(app, settings, public_url=settings.public_url, problem_base=None, locale=locale_dir(__file__))
    return app


def main(host: str | None = None, port: int | None = None) -> None:
    settings = NotifierSettings()
    serve(create_app(settings), "notifier", host, port or DEFAULT_PORT, settings)
