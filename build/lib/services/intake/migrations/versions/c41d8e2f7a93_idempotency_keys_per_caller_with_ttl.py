"""idempotency keys per caller, with a TTL

Revision ID: c41d8e2f7a93
Revises: 71250ce193be
Create Date: 2026-11-24 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'c41d8e2f7a93'
down_revision = '71250ce193be'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Keys are now stored as "<token id>:<key>", so a row from before can never match again; and
    # the panel answers among them hold access codes in clear. Forget them all.
    op.execute("DELETE FROM intake_idempotency_keys")
    with op.batch_alter_table('intake_idempotency_keys', schema=None) as batch_op:
        batch_op.alter_column('key', existing_type=sa.String(length=200), type_=sa.String(length=240),
                              existing_nullable=False)
        batch_op.create_index(batch_op.f('ix_intake_idempotency_keys_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM intake_idempotency_keys")
    with op.batch_alter_table('intake_idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_idempotency_keys_created_at'))
        batch_op.alter_column('key', existing_type=sa.String(length=240), type_=sa.String(length=200),
                              existing_nullable=False)
