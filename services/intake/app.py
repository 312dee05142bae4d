"""Wires the intake service: settings, database, outbox relay, sign-in email sender, HTTP."""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import structlog
from fastapi import FastAPI
from faust.contrib.asgi import faust_app_running

from schemas.policy import load_policy_file
from services.common import health
from services.common.clock import SYSTEM, Clock
from services.common.consumer import short_reason
from services.common.csrf import Csrf
from services.common.db import make_engine
from services.common.i18n import locale_dir
from services.common.lag import LagMonitor
from services.common.migrate import upgrade_service
from services.common.outbox import OutboxRelay
from services.common.service import in_thread, lifespan, serve
from services.common.settings import require_https_intake, require_strong_secret_key, secret
from services.common.signin import web as staff_signin
from services.common.signin.web import StaffSignin, oidc_client
from services.common.streams import make_faust_app
from services.intake.adapters import mail, tables
from services.intake.adapters.storage import SqlStorage
from services.intake.domain.signinmail import lease
from services.intake.entrypoints import agents
from services.intake.entrypoints.signinmail import SigninMailLoop
from services.intake.settings import IntakeSettings
from services.intake.usecases.replies import ReplyHandlers
from services.intake.usecases.signinmail import SigninMail
from services.intake.web import api, errors, pages, signin
from services.intake.web.sessioncookie import Sessions
from services.intake.web.signinlimit import SigninLimit

log = structlog.get_logger()
MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_PORT = 8001


def migrate(engine) -> None:
    upgrade_service(engine, "intake", MIGRATIONS, tables.metadata)


def create_app(settings: IntakeSettings | None = None, clock: Clock = SYSTEM) -> FastAPI:
    settings = settings or IntakeSettings()
    require_strong_secret_key(settings)  # before anything starts: a weak key on a public URL stops here
    # The sign-in links and session cookies are signed too: intake's own public address counts.
    require_strong_secret_key(settings.model_copy(update={"followthrough_public_url": settings.intake_url}))
    require_https_intake(settings, settings.intake_url)  # an https site never sends facilitators to a plain-http intake
    policies = load_policy_file(settings.followthrough_policy_file)  # a bad file stops start-up, loudly
    oidc_client(settings, clock)  # a half-set force sign-in stops start-up here, not at the first sign-in

    async def start(app: FastAPI, parts: AsyncExitStack) -> None:
        # A connection for each of the request threads (anyio's 40 tokens run the sync routes): with
        # 10 + 10 overflow, 40 threads queued for 20 connections and each overflow connection was
        # opened and closed again per request (bench/intake_post.py: 143 -> 162 requests/s).
        engine = make_engine(settings.database_url, pool_size=40)  # PostgreSQL only
        parts.push_async_callback(in_thread(engine.dispose))
        migrate(engine)
        relay = OutboxRelay(engine, tables.outbox, settings.kafka_bootstrap_servers,
                            prefix=settings.followthrough_topic_prefix,
                            replication_factor=settings.kafka_replication_factor)
        if settings.followthrough_outbox_relay:
            relay.start()
            parts.push_async_callback(in_thread(relay.stop))
        app.state.settings, app.state.engine, app.state.relay = settings, engine, relay
        app.state.policies = policies
        app.state.themes = policies.themes()
        app.state.clock = clock
        app.state.csrf = Csrf(secret(settings.followthrough_secret_key), clock, public_url=settings.intake_url,
                              name="intake_csrf")
        app.state.storage = storage = SqlStorage(engine)
        app.state.sessions = Sessions(storage, clock, settings.intake_url)
        app.state.staff = StaffSignin(settings, engine, clock, settings.intake_url, "intake")
        app.state.wake_signin_mail = _signin_mail(settings, storage, clock, parts)
        app.state.signin_limit = SigninLimit(settings.followthrough_signin_rate_limit,
                                             settings.followthrough_signin_address_limit,
                                             secret(settings.followthrough_secret_key))
        if settings.followthrough_reply_consumer:
            await parts.enter_async_context(_replies_consumer(settings, engine, relay))

    app = FastAPI(
        title="followthrough intake",
        version="1.0.0",
        description="Record youth panels, their recommendations and the police's decisions.",
        lifespan=lifespan(start, settings),
    )
    app.include_router(api.router)
    app.include_router(signin.router)
    app.include_router(pages.router)
    errors.install(app)
    staff_signin.install(app)
    health.install_edges(app, settings, public_url=settings.intake_url, problem_base=settings.intake_url,
                         route_limits={api.CSV_IMPORT: settings.followthrough_max_csv_bytes},
                         locale=locale_dir(__file__))
    return app


def _signin_mail(settings: IntakeSettings, storage: SqlStorage, clock: Clock, parts: AsyncExitStack):
    """Start the sign-in email sender (whatever FOLLOWTHROUGH_OUTBOX_RELAY says: these emails never
    go through Kafka); what wakes it."""
    mailer = mail.SmtpLinkMailer(settings.smtp_host, settings.smtp_port, sender=settings.smtp_from,
                                 username=settings.smtp_username, password=secret(settings.smtp_password),
                                 starttls=settings.smtp_starttls, timeout=settings.smtp_timeout)
    loop = SigninMailLoop(SigninMail(storage, mailer, lease(mailer.longest_send), clock=clock))
    task = asyncio.create_task(loop.run())
    parts.callback(task.cancel)
    return loop.wake


@asynccontextmanager
async def _replies_consumer(settings: IntakeSettings, engine, relay):
    """The panels' replies: an insist reopens a decline, a counter becomes a pending recommendation.
    Read in the background, so intake starts (and its /readyz says why not) while Kafka is away."""
    task = asyncio.create_task(_consume_replies(settings, engine, relay))
    try:
        yield
    finally:
        task.cancel()  # the lifespan's shutdown timeout bounds how long this may take
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _consume_replies(settings: IntakeSettings, engine, relay) -> None:
    """Run the consumer; if it cannot start (no broker yet), try again every 10 s. The topic is
    created by the tracker (or the deployment's topics job), which publishes to it."""
    while True:
        faust_app = make_faust_app("followthrough-intake", settings.kafka_bootstrap_servers,
                                   settings.followthrough_topic_prefix, settings.followthrough_commit_interval)
        agents.register(faust_app, ReplyHandlers(SqlStorage(engine), wake=relay.wake),
                        settings.followthrough_topic_prefix)
        try:
            async with faust_app_running(faust_app, stop_timeout=settings.followthrough_shutdown_timeout):
                lag = LagMonitor.for_group(faust_app, settings.kafka_bootstrap_servers,
                                           settings.followthrough_topic_prefix, agents.CONSUMED, "intake")
                lag.start()
                try:
                    await asyncio.Event().wait()  # until intake stops (the task is cancelled)
                finally:
                    lag.stop()
        except asyncio.CancelledError:
            # Cancelled while still starting, faust_app_running never reached its own stop: stop the
            # half-started app here, or its consumer thread outlives intake and holds the loop open.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(faust_app.stop(), settings.followthrough_shutdown_timeout)
            raise
        except Exception as exc:
            log.warning("replies.consumer_not_started", error=short_reason(exc), retry_in_s=10)
            await asyncio.sleep(10)


def main(host: str | None = None, port: int | None = None) -> None:
    settings = IntakeSettings()
    serve(create_app(settings), "intake", host, port or DEFAULT_PORT, settings)
