"""Wires the notifier: database, faust agent, delivery loop, delivery auditor, outbox relay, HTTP."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI
from faust.contrib.asgi import faust_app_running

from services.common import bodylimit, clientaddress, health
from services.common.clock import SYSTEM, Clock
from services.common.db import make_engine
from services.common.lag import LagMonitor
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

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        engine = make_engine(settings.database_url)
        migrate(engine)
        ensure_topics(settings.kafka_bootstrap_servers, prefix=settings.followthrough_topic_prefix)
        notifier = bootstrap(settings, engine, clock)
        relay = notifier.relay
        faust_app = make_faust_app("followthrough-notifier", settings.kafka_bootstrap_servers,
                                   settings.followthrough_topic_prefix, settings.followthrough_commit_interval)
        agents.register(faust_app, notifier.intake, settings.followthrough_topic_prefix)
        app.state.settings, app.state.engine, app.state.relay = settings, engine, relay
        if settings.followthrough_outbox_relay:
            relay.start()
        lag = LagMonitor.for_group(faust_app, settings.kafka_bootstrap_servers,
                                   settings.followthrough_topic_prefix, agents.CONSUMED, "notifier")
        lag.start()
        tasks = [asyncio.create_task(notifier.delivery.run()),
                 asyncio.create_task(audit_every(notifier.auditor, settings.followthrough_audit_interval))]
        async with faust_app_running(faust_app):
            yield
        for task in tasks:
            task.cancel()
        lag.stop()
        if relay.is_alive():
            relay.stop()
        engine.dispose()

    app = FastAPI(title="followthrough notifier", version="1.0.0",
                  description="Delivers notices as email, once per notice and recipient.", lifespan=lifespan)
    bodylimit.install(app, settings)
    health.install_edges(app, settings)
    clientaddress.install(app, settings)  # before all: one rule for who is asking, as in the other services
    return app


def main(host: str | None = None, port: int | None = None) -> None:
    settings = NotifierSettings()
    health.serve(create_app(settings), "notifier", host, port or DEFAULT_PORT, settings)
