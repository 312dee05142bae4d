"""Intake's own tables: panels, recommendations, idempotency keys, sign-in links, their emails and
sessions, outbox."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
)

from services.common.outbox import outbox_table

metadata = MetaData()

panels = Table(
    "intake_panels", metadata,
    Column("slug", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("area", String(200), nullable=False),
    Column("contact_email", String(320)),
    Column("police_lead", JSON, nullable=False),
    Column("escalation", JSON, nullable=False),
    # The code's verifier: an old code's SHA-256, or a new code's scrypt PHC string (accesscode.py).
    # The code itself is shown once and never kept.
    Column("access_code_sha256", String(200)),
    Column("language", String(10), nullable=False, default="en", server_default="en"),  # en | cy | bilingual
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

recommendations = Table(
    "intake_recommendations", metadata,
    Column("id", String(36), primary_key=True),
    Column("panel", String(64), nullable=False, index=True),
    Column("raised_on", Date, nullable=False),
    Column("title", String(200), nullable=False),
    Column("titles", JSON),  # {"en": ..., "cy": ...} where given
    Column("detail", Text, nullable=False),
    Column("themes", JSON, nullable=False),
    Column("decision", String(12), nullable=False),  # agreed | declined | in_principle | pending
    Column("decline_reason", Text),
    Column("decline_code", String(20)),  # no_power | no_budget | legal_or_safety | not_workable | other
    Column("who_can", String(200)),  # with no_power: the body that has the power
    Column("counter_to", String(36)),  # the panel's counter-proposal to this recommendation's decision
    Column("commitment_id", String(36), unique=True),
    Column("commitment", JSON),
    Column("respond_by", Date),
    # Yes in principle (contract §5): the police's plain reason, and the day it must become agreed or
    # declined by; past it the response ladder runs. Kept once decided, as its history.
    Column("principle_reason", Text),
    Column("decide_by", Date),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

idempotency_keys = Table(
    "intake_idempotency_keys", metadata,
    Column("key", String(240), primary_key=True),  # "<caller's token id>:<the client's key, ≤ 200>"
    Column("request_sha256", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", JSON, nullable=False),  # never a secret (the panel's access code is left out)
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now(), index=True),
)

# A facilitator's one-time sign-in link: only the SHA-256 of its secret is kept (the email waiting
# to be sent holds the link, until sent or given up: signin_emails). Using it inserts
# a row in intake_signin_uses, whose primary key is that digest: a second use fails on the
# constraint, whatever the number of replicas or requests at once.
signin_links = Table(
    "intake_signin_links", metadata,
    Column("secret_sha256", String(64), primary_key=True),
    Column("token_id", String(16), nullable=False),  # the API token that lets this person in
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

signin_uses = Table(
    "intake_signin_uses", metadata,
    Column("secret_sha256", String(64), ForeignKey("intake_signin_links.secret_sha256", ondelete="CASCADE"),
           primary_key=True),
    Column("used_at", DateTime(timezone=True), nullable=False),
)

# A sign-in link's email, waiting to be sent: written in the link's transaction and sent by intake's
# own sender, retried until the link expires (never through Kafka: the link is a secret). One row
# per link by its primary key; `link` holds the secret only until the email is sent or given up.
signin_emails = Table(
    "intake_signin_emails", metadata,
    Column("link_sha256", String(64), primary_key=True),
    Column("recipient", String(320), nullable=False),
    Column("link", Text),
    Column("message_id", String(200), nullable=False),  # the same on every try
    Column("state", String(10), nullable=False),  # pending | sending | sent | given_up
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("claimed_at", DateTime(timezone=True)),
    Column("claim_token", String(36)),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("last_error", String(1000)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_intake_signin_emails_due", "state", "next_attempt_at"),
)

# A facilitator's session, kept here so that signing out ends it everywhere at once: the cookie
# holds only a random id, the row only that id's SHA-256, the token it acts as and when it ends.
# Nothing in either names the person: who they are is read from the live token on each request.
sessions = Table(
    "intake_sessions", metadata,
    Column("id_sha256", String(64), primary_key=True),
    Column("token_id", String(16), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

# Events intake consumed (the panels' replies), each applied once: the event id is the key.
processed_events = Table(
    "intake_processed_events", metadata,
    Column("event_id", String(36), primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

outbox = outbox_table(metadata, "intake_outbox")
