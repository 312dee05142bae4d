"""The tables staff sign-in keeps, in the database every service shares (beside the API tokens):
sign-ins under way, live sessions, and the panels a facilitator is bound to. Only SHA-256 digests
of a state or a session id are stored: a stolen database holds no working one."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, PrimaryKeyConstraint, String, Table, Text

from services.common.tokens import metadata

# A sign-in sent to the provider and not yet back: used once (deleted when it comes back).
staff_logins = Table(
    "common_staff_logins", metadata,
    Column("state_sha256", String(64), primary_key=True),
    Column("nonce", String(64), nullable=False),
    Column("code_verifier", String(128), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

staff_sessions = Table(
    "common_staff_sessions", metadata,
    Column("id_sha256", String(64), primary_key=True),
    Column("email", String(320), nullable=False),  # lower-cased
    Column("roles", String(200), nullable=False),  # space-separated: admin, facilitator
    Column("name", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# `followthrough staff bind EMAIL PANEL`: the facilitator records for that panel (one row each).
staff_panels = Table(
    "common_staff_panels", metadata,
    Column("email", String(320), nullable=False),  # lower-cased
    Column("panel", String(64), nullable=False),
    PrimaryKeyConstraint("email", "panel"),
)
