"""The one place that builds the webhooks service from its settings, a database and a clock: the
store, the event recorder, the dispatcher and the subscription use cases. The web app (`app.py`)
starts here; tests build the parts they need from the same pieces."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from services.common.clock import SYSTEM, Clock
from services.common.migrate import upgrade_service
from services.common.settings import secret
from services.webhooks.adapters import tables
from services.webhooks.adapters.owner_mail import tell_owner
from services.webhooks.adapters.secretbox import SecretBox
from services.webhooks.adapters.sender import HttpSender
from services.webhooks.adapters.store import SqlStore
from services.webhooks.settings import WebhooksSettings
from services.webhooks.usecases.deliver import Dispatcher
from services.webhooks.usecases.metrics import GAUGES
from services.webhooks.usecases.record_events import RecordEvents
from services.webhooks.usecases.subscriptions import Subscriptions

MIGRATIONS = Path(__file__).parent / "migrations"


def migrate(engine: Engine) -> None:
    upgrade_service(engine, "webhooks", MIGRATIONS, tables.metadata)


@dataclass
class Webhooks:
    store: SqlStore
    sender: HttpSender
    recorder: RecordEvents
    dispatcher: Dispatcher
    subscriptions: Subscriptions


def bootstrap(settings: WebhooksSettings, engine: Engine, clock: Clock = SYSTEM,
              sender: HttpSender | None = None) -> Webhooks:
    store = SqlStore(engine, SecretBox(secret(settings.followthrough_secret_key)))
    sender = sender or HttpSender(allow_private=settings.followthrough_webhooks_allow_private,
                                  timeout=settings.followthrough_webhooks_timeout)

    async def tell(sub, reason: str) -> None:
        await tell_owner(settings, sub, reason)

    # The lease is renewed every third of itself by a task beside the worker, so a call to a receiver
    # longer than the lease does not lose it; a short lease only makes a crashed replica's work resume sooner.
    dispatcher = Dispatcher(store, sender, clock, origin=settings.webhooks_origin,
                            lease=dt.timedelta(seconds=settings.followthrough_webhooks_lease_seconds), tell=tell)
    GAUGES.watch(store, clock)
    overlap = dt.timedelta(hours=settings.followthrough_webhooks_rotation_overlap_hours)
    subscriptions = Subscriptions(store, clock, allow_private=settings.followthrough_webhooks_allow_private,
                                  overlap=overlap, wake=dispatcher.wake)
    return Webhooks(store=store, sender=sender, recorder=RecordEvents(store, clock, wake=dispatcher.wake),
                    dispatcher=dispatcher, subscriptions=subscriptions)
