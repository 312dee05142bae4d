"""rows a scan pass could not process are parked until they change

Revision ID: a1c9e4b27d10
Revises: d53cd894de03
Create Date: 2026-11-26 10:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a1c9e4b27d10'
down_revision = 'd53cd894de03'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('tracker_commitments', 'tracker_recommendations'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('parked_at', sa.DateTime(timezone=True), nullable=True))
            batch.add_column(sa.Column('parked_error', sa.Text(), nullable=True))


def downgrade() -> None:
    for table in ('tracker_commitments', 'tracker_recommendations'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('parked_error')
            batch.drop_column('parked_at')
