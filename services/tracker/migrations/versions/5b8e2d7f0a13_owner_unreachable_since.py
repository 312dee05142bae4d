"""a commitment whose owner's mail is refused is flagged until a handover: the day it was first
seen in this episode (contract §5)

Revision ID: 5b8e2d7f0a13
Revises: 9c2e7b4d1f58
Create Date: 2026-12-03 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5b8e2d7f0a13'
down_revision = '9c2e7b4d1f58'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tracker_commitments', sa.Column('owner_unreachable_since', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tracker_commitments') as batch:
        batch.drop_column('owner_unreachable_since')
