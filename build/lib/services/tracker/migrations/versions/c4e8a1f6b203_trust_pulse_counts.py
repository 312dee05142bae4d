"""the panel's trust pulse: counts per panel per month, no row per answer

Revision ID: c4e8a1f6b203
Revises: f1b3d5e7a902
Create Date: 2026-11-26 11:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c4e8a1f6b203'
down_revision = 'f1b3d5e7a902'
branch_labels = None
depends_on = None

COUNTS = ['answers', *(f'trust_{n}' for n in range(1, 6)), 'kept_yes', 'kept_no', 'kept_not_sure']


def upgrade() -> None:
    op.create_table(
        'tracker_pulse',
        sa.Column('panel', sa.String(length=64), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False, server_default='0') for name in COUNTS),
        sa.PrimaryKeyConstraint('panel', 'period'),
    )


def downgrade() -> None:
    op.drop_table('tracker_pulse')
