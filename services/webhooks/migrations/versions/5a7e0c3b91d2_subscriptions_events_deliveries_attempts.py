"""subscriptions, events, deliveries, attempts

Revision ID: 5a7e0c3b91d2
Revises: 
Create Date: 2026-12-04 10:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '5a7e0c3b91d2'
down_revision = None
branch_labels = None
depends_on = None

# SQLite autoincrements only an INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
SEQ = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('webhooks_subscriptions',
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('types', sa.JSON(), nullable=False),
    sa.Column('scheme', sa.String(length=4), nullable=False),
    sa.Column('key_enc', sa.Text(), nullable=False),
    sa.Column('previous_key_enc', sa.Text(), nullable=True),
    sa.Column('previous_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('owner_email', sa.String(length=320), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('disabled_reason', sa.Text(), nullable=True),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('owner_told_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rate_per_minute', sa.Integer(), nullable=True),
    sa.Column('confirm_attempts', sa.Integer(), nullable=False),
    sa.Column('next_confirm_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lease_owner', sa.String(length=36), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('webhooks_events',
    sa.Column('seq', SEQ, autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('id')
    )
    with op.batch_alter_table('webhooks_events', schema=None) as batch_op:
        batch_op.create_index('ix_webhooks_events_time', ['time'], unique=False)

    op.create_table('webhooks_deliveries',
    sa.Column('subscription_id', sa.String(length=26), nullable=False),
    sa.Column('event_seq', SEQ, autoincrement=False, nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('subscription_id', 'event_seq')
    )
    with op.batch_alter_table('webhooks_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_webhooks_deliveries_work', ['subscription_id', 'state', 'event_seq'], unique=False)

    op.create_table('webhooks_attempts',
    sa.Column('id', SEQ, autoincrement=True, nullable=False),
    sa.Column('subscription_id', sa.String(length=26), nullable=False),
    sa.Column('event_seq', SEQ, nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('webhooks_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_webhooks_attempts_sub', ['subscription_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('webhooks_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_webhooks_attempts_sub')
    op.drop_table('webhooks_attempts')
    with op.batch_alter_table('webhooks_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_webhooks_deliveries_work')
    op.drop_table('webhooks_deliveries')
    with op.batch_alter_table('webhooks_events', schema=None) as batch_op:
        batch_op.drop_index('ix_webhooks_events_time')
    op.drop_table('webhooks_events')
    op.drop_table('webhooks_subscriptions')
