"""the auditor's "owed since" in the database; parked rows found by a small index

Revision ID: b3e7d9a1c4f2
Revises: 8d3f1a6c4e27
Create Date: 2026-12-03 19:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b3e7d9a1c4f2'
down_revision = '8d3f1a6c4e27'
branch_labels = None
depends_on = None

PARKED = (('tracker_commitments', 'ix_tracker_commitments_parked'),
          ('tracker_recommendations', 'ix_tracker_recommendations_parked'))


def upgrade() -> None:
    op.create_table(
        'tracker_owed_notices',
        sa.Column('subject_id', sa.String(36), nullable=False),
        sa.Column('key', sa.String(80), nullable=False),
        sa.Column('since', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('subject_id', 'key', name='pk_tracker_owed_notices'),
    )
    for table, name in PARKED:
        # Partial: only the (few) parked rows are in it, so listing them costs nothing per row.
        op.create_index(name, table, ['parked_at'], postgresql_where=sa.text('parked_at IS NOT NULL'),
                        sqlite_where=sa.text('parked_at IS NOT NULL'))


def downgrade() -> None:
    for table, name in PARKED:
        op.drop_index(name, table_name=table)
    op.drop_table('tracker_owed_notices')
