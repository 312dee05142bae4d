"""handovers are counted; an extension past the owner's limit waits for the supervisor

Revision ID: b7d2f0c3e915
Revises: a1c9e4b27d10
Create Date: 2026-11-26 10:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d2f0c3e915'
down_revision = 'a1c9e4b27d10'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tracker_commitments') as batch:
        batch.add_column(sa.Column('handovers', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('requested_due', sa.Date(), nullable=True))
        batch.add_column(sa.Column('requested_reason', sa.Text(), nullable=True))
        batch.add_column(sa.Column('confirm_extra_days', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('tracker_access_failures') as batch:
        batch.add_column(sa.Column('client', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tracker_access_failures') as batch:
        batch.drop_column('client')
    with op.batch_alter_table('tracker_commitments') as batch:
        batch.drop_column('confirm_extra_days')
        batch.drop_column('requested_reason')
        batch.drop_column('requested_due')
        batch.drop_column('handovers')
