"""The notifier's own tables. The delivery ledger is unique per (notice,
recipient): a row is claimed before sending and marked sent after."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
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

notices = Table(
    "notifier_notices", metadata,
    Column("id", String(36), primary_key=True),
    Column("notice", JSON, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

deliveries = Table(
    "notifier_deliveries", metadata,
    Column("notice_id", String(36), primary_key=True),
    Column("recipient", String(320), primary_key=True),
    Column("state", String(10), nullable=False),  # pending | sending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("resends", Integer, nullable=False, default=0),  # claims found abandoned mid-send
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("claimed_at", DateTime(timezone=True)),
    Column("claim_token", String(36)),  # the current claim's; results are written only under it
    Column("give_up_after", DateTime(timezone=True)),  # the notice's: when the ladder's next step is due
    Column("sent_at", DateTime(timezone=True)),
    Column("message_id", String(200), nullable=False),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_notifier_deliveries_due", "state", "next_attempt_at"),
)

outbox = outbox_table(metadata, "notifier_outbox")
