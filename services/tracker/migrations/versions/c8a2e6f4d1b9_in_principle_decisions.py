"""a decision may be yes in principle, with a plain reason and the day it must be agreed or declined
by (contract §5): `decision` grows to hold `in_principle`

Revision ID: c8a2e6f4d1b9
Revises: a7c3e9d1f5b2
Create Date: 2026-12-04 04:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c8a2e6f4d1b9'
down_revision = 'a7c3e9d1f5b2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No backfill: no row written before this revision was in principle.
    with op.batch_alter_table('tracker_recommendations') as batch:
        batch.alter_column('decision', existing_type=sa.String(10), type_=sa.String(12), existing_nullable=False)
        batch.add_column(sa.Column('principle_reason', sa.Text(), nullable=True))
        batch.add_column(sa.Column('decide_by', sa.Date(), nullable=True))


def downgrade() -> None:
    # An older release knows only pending: a yes in principle still owes its answer, by decide_by.
    op.execute("UPDATE tracker_recommendations SET decision = 'pending', respond_by = decide_by "
               "WHERE decision = 'in_principle'")
    with op.batch_alter_table('tracker_recommendations') as batch:
        batch.drop_column('decide_by')
        batch.drop_column('principle_reason')
        batch.alter_column('decision', existing_type=sa.String(12), type_=sa.String(10), existing_nullable=False)
