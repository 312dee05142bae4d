"""The one place that builds the notifier from its settings, a database and a clock: the
ledger, the notice intake, the delivery loop, the delivery auditor and the outbox relay.
The web app (`app.py`) starts here; tests build the parts they need from the same pieces."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import structlog
from sqlalchemy import Engine

from services.common.clock import SYSTEM, Clock
from services.common.migrate import upgrade_service
from services.common.outbox import OutboxRelay
from services.common.settings import secret
from services.notifier.adapters import tables
from services.notifier.adapters.email_renderer import EmailRenderer
from services.notifier.adapters.smtp_mailer import SmtpMailer
from services.notifier.adapters.sql_ledger import SqlLedger
from services.notifier.domain.delivery import effective_lease
from services.notifier.entrypoints.scheduler import DeliveryLoop
from services.notifier.settings import NotifierSettings
from services.notifier.usecases.audit_deliveries import DeliveryAuditor
from services.notifier.usecases.deliver import Deliverer
from services.notifier.usecases.record_notices import NoticeIntake

log = structlog.get_logger()
MIGRATIONS = Path(__file__).parent / "migrations"


def migrate(engine: Engine) -> None:
    upgrade_service(engine, "notifier", MIGRATIONS, tables.metadata)


@dataclass
class Notifier:
    relay: OutboxRelay
    intake: NoticeIntake
    delivery: DeliveryLoop
    auditor: DeliveryAuditor


def mailer_for(settings: NotifierSettings) -> SmtpMailer:
    return SmtpMailer(settings.smtp_host, settings.smtp_port, username=settings.smtp_username,
                      password=secret(settings.smtp_password), starttls=settings.smtp_starttls,
                      timeout=settings.smtp_timeout, connections=settings.smtp_connections)


def lease_for(configured: float | None, longest_send: float) -> dt.timedelta:
    lease = effective_lease(configured, longest_send)
    if configured is not None and configured < lease.total_seconds():
        log.warning("delivery.lease_raised", configured_s=configured, effective_s=lease.total_seconds(),
                    longest_send_s=longest_send)
    return lease


def bootstrap(settings: NotifierSettings, engine: Engine, clock: Clock = SYSTEM) -> Notifier:
    relay = OutboxRelay(engine, tables.outbox, settings.kafka_bootstrap_servers,
                        prefix=settings.followthrough_topic_prefix,
                        replication_factor=settings.kafka_replication_factor)
    ledger, mailer = SqlLedger(engine), mailer_for(settings)
    lease = lease_for(settings.followthrough_delivery_lease_seconds, mailer.longest_send)
    give_up_after = dt.timedelta(hours=settings.followthrough_delivery_give_up_hours)
    max_backoff = settings.followthrough_delivery_max_backoff_seconds
    deliverer = Deliverer(ledger, mailer, settings.smtp_from, give_up_after=give_up_after, lease=lease,
                          max_backoff=max_backoff, clock=clock,
                          renderer=EmailRenderer(settings.followthrough_welsh_standards))
    delivery = DeliveryLoop(deliverer, after_busy=relay.wake)
    return Notifier(relay=relay,
                    intake=NoticeIntake(ledger, wake=delivery.wake, digest_at=settings.followthrough_digest_at,
                                        clock=clock),
                    delivery=delivery,
                    auditor=DeliveryAuditor(ledger, clock, lease=lease, give_up_hours=give_up_after,
                                            max_backoff=max_backoff))
