"""Wires the webhooks service: database, faust agents over the public topics, the dispatcher, HTTP."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

from fastapi import FastAPI
from faust.contrib.asgi import faust_app_running

from services.common import health
from services.common.clock import SYSTEM, Clock
from services.common.db import make_engine
from services.common.lag import LagMonitor
from services.common.service import in_thread, lifespan, serve
from services.common.settings import require_strong_secret_key
from services.common.streams import make_faust_app
from services.common.topics import ensure_topics
from services.webhooks.bootstrap import bootstrap, migrate
from services.webhooks.entrypoints import agents
from services.webhooks.settings import WebhooksSettings
from services.webhooks.web import api

DEFAULT_PORT = 8004


def create_app(settings: WebhooksSettings | None = None, clock: Clock = SYSTEM, sender=None) -> FastAPI:
    """`sender`: the HTTP client to receivers (tests pass one); default the real one, from the settings."""
    settings = settings or WebhooksSettings()
    require_strong_secret_key(settings)  # the same key seals the subscribers' secrets: a weak one stops here

    async def start(app: FastAPI, parts: AsyncExitStack) -> None:
        engine = make_engine(settings.database_url)
        parts.push_async_callback(in_thread(engine.dispose))
        migrate(engine)
        ensure_topics(settings.kafka_bootstrap_servers, prefix=settings.followthrough_topic_prefix,
                      replication_factor=settings.kafka_replication_factor)
        hooks = bootstrap(settings, engine, clock, sender)
        parts.push_async_callback(hooks.sender.aclose)
        app.state.engine, app.state.subscriptions = engine, hooks.subscriptions
        faust_app = make_faust_app(agents.GROUP, settings.kafka_bootstrap_servers,
                                   settings.followthrough_topic_prefix, settings.followthrough_commit_interval)
        agents.register(faust_app, hooks.recorder, settings.followthrough_topic_prefix)
        lag = LagMonitor.for_group(faust_app, settings.kafka_bootstrap_servers,
                                   settings.followthrough_topic_prefix, agents.CONSUMED, "webhooks")
        lag.start()
        parts.push_async_callback(in_thread(lag.stop))
        dispatching = asyncio.create_task(hooks.dispatcher.run(), name="webhooks-dispatcher")
        parts.push_async_callback(_stopped, dispatching)
        await parts.enter_async_context(faust_app_running(faust_app))

    return web_app(settings, clock, lifespan(start, settings))


def web_app(settings: WebhooksSettings, clock: Clock = SYSTEM, lifespan_=None) -> FastAPI:
    """The HTTP edge alone: the API and the shared edges. `create_app` gives it a lifespan that starts
    the service; a test gives none and puts `engine` and `subscriptions` on `app.state` itself."""
    app = FastAPI(title="followthrough webhooks", version="1.0.0",
                  description="Signed webhooks of the public events, for services that cannot read Kafka "
                              "(docs/contract.md §8.3).", lifespan=lifespan_)
    app.state.clock = clock
    app.include_router(api.router)
    health.install_edges(app, settings, public_url=settings.public_url, problem_base=None)
    return app


async def _stopped(task: asyncio.Task) -> None:
    """Cancel the dispatcher and wait for its workers to give their leases back."""
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass


def main(host: str | None = None, port: int | None = None) -> None:
    settings = WebhooksSettings()
    serve(create_app(settings), "webhooks", host, port or DEFAULT_PORT, settings)
