"""off-track declared early and kept promises re-checked: the owner's track and delay reason,
when a commitment was kept and reopened, and how many times it was reopened

Revision ID: 7e4a0c2b9d61
Revises: e6a0c2d4f817
Create Date: 2026-11-26 13:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '7e4a0c2b9d61'
down_revision = 'e6a0c2d4f817'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tracker_commitments') as batch:
        batch.add_column(sa.Column('track', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('delay_reason', sa.Text(), nullable=True))
        batch.add_column(sa.Column('kept_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('reopened_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('reopenings', sa.Integer(), nullable=False, server_default='0'))
    # Kept before this revision: the day it was marked done is the nearest date we hold (the window
    # to reopen it then runs from that day, never longer than the policy says).
    op.execute("UPDATE tracker_commitments SET kept_on = done_on WHERE status = 'kept'")


def downgrade() -> None:
    with op.batch_alter_table('tracker_commitments') as batch:
        batch.drop_column('reopenings')
        batch.drop_column('reopened_on')
        batch.drop_column('kept_on')
        batch.drop_column('delay_reason')
        batch.drop_column('track')
