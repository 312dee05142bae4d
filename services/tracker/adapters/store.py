"""The tracker's own tables. Unique keys make every side effect happen once:
an event id is processed once, a notice key exists once per recommendation."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

from services.common.outbox import outbox_table

metadata = MetaData()

panels = Table(
    "tracker_panels", metadata,
    Column("slug", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("area", String(200), nullable=False),
    Column("police_lead", JSON, nullable=False),
    Column("escalation", JSON, nullable=False),
    # From the panel's events; verdicts are checked against it. An old code's SHA-256, or a new
    # code's scrypt PHC string (accesscode.py).
    Column("access_code_sha256", String(200)),
    # en | cy | bilingual (contract §8.4): the language its page opens in.
    Column("language", String(10), nullable=False, default="en", server_default="en"),
)

recommendations = Table(
    "tracker_recommendations", metadata,
    Column("id", String(36), primary_key=True),
    Column("panel", String(64), nullable=False, index=True),
    Column("raised_on", Date, nullable=False),
    Column("title", String(200), nullable=False),
    Column("titles", JSON),  # {"en": ..., "cy": ...} where given: each shown as written
    Column("detail", Text, nullable=False),
    Column("themes", JSON, nullable=False),
    Column("decision", String(12), nullable=False),  # agreed | declined | in_principle | pending
    Column("decline_reason", Text),
    Column("decline_code", String(20)),  # no_power | no_budget | legal_or_safety | not_workable | other
    Column("who_can", String(200)),  # with no_power: the body that has the power
    Column("counter_to", String(36)),  # the recommendation whose decision this counter-proposal answers
    # The police's answer round: 1, then one more each time the panel insists on a decline. The
    # response ladder's notice keys carry it, so each round's notices are sent once.
    Column("response_round", Integer, nullable=False, default=1, server_default="1"),
    Column("respond_by", Date),
    # Yes in principle (contract §5): the police's plain reason, and the day it must become agreed or
    # declined by; past it the response ladder runs. Kept once decided, as its history.
    Column("principle_reason", Text),
    Column("decide_by", Date),
    Column("decided_on", Date),  # when police answered (agreed or declined); the register's on-time rate
    Column("ladder_since", Date),
    Column("next_action_on", Date),
    # A row the scan could not process: skipped by later passes until it changes.
    Column("parked_at", DateTime(timezone=True)),
    Column("parked_error", Text),
    Index("ix_tracker_recommendations_next_action_on", "next_action_on"),
)

commitments = Table(
    "tracker_commitments", metadata,
    Column("id", String(36), primary_key=True),
    Column("recommendation_id", String(36), nullable=False, unique=True),
    Column("panel", String(64), nullable=False, index=True),
    Column("action", Text, nullable=False),
    Column("done_means", Text, nullable=False),
    Column("owner_role", String(120), nullable=False),
    Column("owner_email", String(320), nullable=False),
    Column("owner_name", String(120)),
    # The agreed owner's language (en | cy), where known; after a handover it is not theirs.
    Column("owner_language", String(2)),
    Column("escalation", JSON, nullable=False),
    Column("agreed_on", Date, nullable=False),
    Column("due", Date, nullable=False),
    Column("original_due", Date, nullable=False),
    Column("due_version", Integer, nullable=False, default=1),
    Column("update_every_days", Integer, nullable=False),
    Column("ladder_since", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("last_update_at", DateTime(timezone=True)),
    Column("last_update_on", Date),
    Column("update_count", Integer, nullable=False, default=0),
    Column("done_on", Date),
    Column("disputes", Integer, nullable=False, default=0),
    Column("disputed_on", Date),
    Column("completions", Integer, nullable=False, default=0),
    Column("handovers", Integer, nullable=False, default=0, server_default="0"),
    Column("confirm_extra_days", Integer, nullable=False, default=0, server_default="0"),  # access-code locks
    # An extension past the owner's limit, waiting for the supervisor's approval.
    Column("requested_due", Date),
    Column("requested_reason", Text),
    # The owner's latest word on how it is going (contract §5), and why when delayed.
    Column("track", String(20)),
    Column("delay_reason", Text),
    # Kept promises re-checked: when it was last kept, last reopened, and how often reopened.
    Column("kept_on", Date),
    Column("kept_by", String(20)),  # "panel" (confirmed) or "no_answer" (silence counted as yes); None unless kept
    Column("reopened_on", Date),
    Column("reopenings", Integer, nullable=False, default=0, server_default="0"),
    # The owner's mail was refused or given up on: the day this episode began; a handover clears it.
    Column("owner_unreachable_since", Date),
    Column("policy", JSON, nullable=False),  # the ladder in force when agreed
    Column("next_action_on", Date),
    # A row the scan could not process: skipped by later passes until it changes.
    Column("parked_at", DateTime(timezone=True)),
    Column("parked_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_tracker_commitments_next_action_on", "next_action_on"),
)

timeline = Table(
    "tracker_timeline", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("commitment_id", String(36), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("entry", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("commitment_id", "seq", name="uq_tracker_timeline_seq"),
)

notices = Table(
    "tracker_notices", metadata,
    Column("id", String(36), primary_key=True),
    Column("recommendation_id", String(36), nullable=False),
    Column("commitment_id", String(36)),
    Column("key", String(80), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("level", Integer, nullable=False),
    Column("late", Boolean, nullable=False),
    Column("recipients", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("recommendation_id", "key", name="uq_tracker_notices_key"),
)

processed_events = Table(
    "tracker_processed_events", metadata,
    Column("event_id", String(36), primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

delivery_failures = Table(
    "tracker_delivery_failures", metadata,
    Column("notice_id", String(36), primary_key=True),
    Column("recipient", String(320), primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("error", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Wrong access codes: one row per (panel, client) and window, counted up in one statement
# (INSERT .. ON CONFLICT DO UPDATE .. RETURNING), so replicas racing each other lock at one count.
access_failures = Table(
    "tracker_access_failures", metadata,
    Column("panel", String(64), primary_key=True),
    Column("client", String(64), primary_key=True),  # a keyed hash of the client's address
    Column("failures", Integer, nullable=False),
    Column("until", DateTime(timezone=True), nullable=False),  # the row is deleted after this
    Index("ix_tracker_access_failures_until", "until"),
)

# A lock gives the panel's awaited checks one more day, once per panel per day: the key says so.
lock_extensions = Table(
    "tracker_lock_extensions", metadata,
    Column("panel", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
)

# Per-client limits on the code-guarded POSTs, shared by every replica: hits per rule, client
# and clock window (the window's number since the epoch), counted up in one statement.
rate_windows = Table(
    "tracker_rate_windows", metadata,
    Column("rule", String(20), primary_key=True),
    Column("client", String(64), primary_key=True),  # a keyed hash of the client's address
    Column("bucket", BigInteger, primary_key=True, autoincrement=False),
    Column("hits", Integer, nullable=False),
    Column("until", DateTime(timezone=True), nullable=False),  # no longer read after this: deleted
    Index("ix_tracker_rate_windows_until", "until"),
)

# The youth panel's replies to police decisions (contract §5): one per decision, which the key says
# (a decline insisted on and declined again is a new decision: its round is one more).
replies = Table(
    "tracker_replies", metadata,
    Column("id", String(36), primary_key=True),  # the recommendation.replied event's id
    Column("recommendation_id", String(36), nullable=False),
    Column("panel", String(64), nullable=False, index=True),
    Column("decision", String(10), nullable=False),  # agreed | declined | withdrawn
    Column("round", Integer, nullable=False),
    Column("reply", String(10), nullable=False),  # accept | insist | counter
    Column("comment", Text, nullable=False),
    Column("respond_by", Date),
    Column("counter_id", String(36)),
    Column("at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("recommendation_id", "decision", "round", name="uq_tracker_replies_decision"),
)

# The panel's trust pulse (contract §5): counts per panel per month, never a row per answer. The running
# counts, and beside them (`shown_…`) the copy every public output reads, moved only in steps of answers.
PULSE_COUNTS = ("answers", *(f"trust_{n}" for n in range(1, 6)), "kept_yes", "kept_no", "kept_not_sure")
pulse = Table(
    "tracker_pulse", metadata,
    Column("panel", String(64), primary_key=True),
    Column("period", String(7), primary_key=True),  # a month, "2026-11" (Europe/London)
    *(Column(name, Integer, nullable=False, default=0, server_default="0") for name in PULSE_COUNTS),
    *(Column(f"shown_{name}", Integer, nullable=False, default=0, server_default="0") for name in PULSE_COUNTS),
)

# What each panel said and was shown, hash-chained (contract §3): the replies to each recommendation's
# decisions ("replies:<recommendation>") and the trust pulse's published steps ("pulse:<panel>"). The
# next seq is taken once per chain, and each reply or step once (its ref): both are unique keys.
panel_chain = Table(
    "tracker_panel_chain", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("panel", String(64), nullable=False, index=True),
    Column("chain", String(80), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("ref", String(80), nullable=False),  # the reply's id, or the step's "<period>:<counted>"
    Column("at", DateTime(timezone=True), nullable=False),
    Column("kind", String(20), nullable=False),  # reply | pulse_step
    Column("entry", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("chain", "seq", name="uq_tracker_panel_chain_seq"),
    UniqueConstraint("chain", "ref", name="uq_tracker_panel_chain_ref"),
)

outbox = outbox_table(metadata, "tracker_outbox")
