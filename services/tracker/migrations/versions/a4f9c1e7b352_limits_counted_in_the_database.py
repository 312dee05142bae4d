"""limits counted in the database: wrong codes per (panel, client) as one counted row, the
lock's extension once per (panel, day), the per-client POST limits' windows shared by replicas

Revision ID: a4f9c1e7b352
Revises: e17a0c5d2b94
Create Date: 2026-12-03 13:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a4f9c1e7b352'
down_revision = 'e17a0c5d2b94'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The old rows are at most 15 minutes of wrong codes: dropped, not converted.
    op.drop_index('ix_tracker_access_failures_panel_at', table_name='tracker_access_failures')
    op.drop_table('tracker_access_failures')
    op.create_table(
        'tracker_access_failures',
        sa.Column('panel', sa.String(length=64), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('until', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('panel', 'client'),
    )
    op.create_index('ix_tracker_access_failures_until', 'tracker_access_failures', ['until'])
    op.create_table(
        'tracker_lock_extensions',
        sa.Column('panel', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('panel', 'day'),
    )
    op.create_table(
        'tracker_rate_windows',
        sa.Column('rule', sa.String(length=20), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('bucket', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.Column('until', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('rule', 'client', 'bucket'),
    )
    op.create_index('ix_tracker_rate_windows_until', 'tracker_rate_windows', ['until'])


def downgrade() -> None:
    op.drop_index('ix_tracker_rate_windows_until', table_name='tracker_rate_windows')
    op.drop_table('tracker_rate_windows')
    op.drop_table('tracker_lock_extensions')
    op.drop_index('ix_tracker_access_failures_until', table_name='tracker_access_failures')
    op.drop_table('tracker_access_failures')
    op.create_table(
        'tracker_access_failures',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('panel', sa.String(length=64), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_tracker_access_failures_panel_at', 'tracker_access_failures', ['panel', 'at'])
