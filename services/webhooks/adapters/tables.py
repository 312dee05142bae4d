"""The webhooks service's own tables (docs/contract.md §8.3).

Idempotence lives in the keys: an event is stored once per CloudEvent id (a redelivered Kafka
message or a second replica inserts nothing), and a delivery once per (subscription, event)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# SQLite gives autoincrement only to an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
SEQ = BigInteger().with_variant(Integer(), "sqlite")

subscriptions = Table(
    "webhooks_subscriptions", metadata,
    Column("id", String(26), primary_key=True),  # "sub_" + a random token
    Column("url", Text, nullable=False),
    Column("types", JSON, nullable=False),  # the event types wanted; ["*"] = all
    Column("scheme", String(4), nullable=False),  # "v1" (shared secret) | "v1a" (Ed25519)
    Column("key_enc", Text, nullable=False),  # the signing secret / private key, sealed by SecretBox
    Column("previous_key_enc", Text),  # the key before a rotation, still signing until previous_until
    Column("previous_until", DateTime(timezone=True)),
    Column("owner_email", String(320)),
    Column("state", String(12), nullable=False),  # confirming | active | disabled
    Column("disabled_reason", Text),
    Column("disabled_at", DateTime(timezone=True)),
    Column("owner_told_at", DateTime(timezone=True)),
    Column("rate_per_minute", Integer),  # the receiver's WebHook-Allowed-Rate; None: no limit
    Column("confirm_attempts", Integer, nullable=False, default=0),
    Column("next_confirm_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("deleted_at", DateTime(timezone=True)),
    Column("lease_owner", String(36)),  # the replica whose worker delivers for this subscription
    Column("lease_until", DateTime(timezone=True)),
)

events = Table(
    "webhooks_events", metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),  # arrival order: each receiver's order
    Column("id", String(200), nullable=False, unique=True),  # the CloudEvent id
    Column("type", String(200), nullable=False),
    Column("subject", Text),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("body", Text, nullable=False),  # the structured CloudEvent, public view, as sent
    Column("received_at", DateTime(timezone=True), nullable=False),
    Index("ix_webhooks_events_time", "time"),
)

deliveries = Table(
    "webhooks_deliveries", metadata,
    Column("subscription_id", String(26), primary_key=True),
    Column("event_seq", SEQ, primary_key=True, autoincrement=False),
    Column("state", String(12), nullable=False),  # pending | delivered
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Index("ix_webhooks_deliveries_work", "subscription_id", "state", "event_seq"),
)

attempts = Table(
    "webhooks_attempts", metadata,
    Column("id", SEQ, primary_key=True, autoincrement=True),
    Column("subscription_id", String(26), nullable=False),
    Column("event_seq", SEQ),  # None for a validation handshake
    Column("at", DateTime(timezone=True), nullable=False),
    Column("status", Integer),
    Column("result", String(12), nullable=False),  # delivered | retry | gone | refused | handshake
    Column("reason", Text, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Index("ix_webhooks_attempts_sub", "subscription_id", "id"),
)
