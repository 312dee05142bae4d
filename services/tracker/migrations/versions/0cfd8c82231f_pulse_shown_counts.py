"""the trust pulse's shown counts: the copy every public output reads, moved only in steps of answers

Revision ID: 0cfd8c82231f
Revises: a4f9c1e7b352
Create Date: 2026-12-03 13:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0cfd8c82231f'
down_revision = 'a4f9c1e7b352'
branch_labels = None
depends_on = None

COUNTS = ['answers', *(f'trust_{n}' for n in range(1, 6)), 'kept_yes', 'kept_no', 'kept_not_sure']


def upgrade() -> None:
    with op.batch_alter_table('tracker_pulse') as batch:
        for name in COUNTS:
            batch.add_column(sa.Column(f'shown_{name}', sa.Integer(), nullable=False, server_default='0'))
    # What was already public stays shown (every month from 5 answers showed all its counts); the next
    # move then waits for 5 more answers, so it reveals no smaller step than any other.
    op.execute(f"UPDATE tracker_pulse SET {', '.join(f'shown_{n} = {n}' for n in COUNTS)} WHERE answers >= 5")


def downgrade() -> None:
    with op.batch_alter_table('tracker_pulse') as batch:
        for name in COUNTS:
            batch.drop_column(f'shown_{name}')
