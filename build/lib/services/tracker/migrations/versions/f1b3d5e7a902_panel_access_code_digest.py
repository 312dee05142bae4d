"""the panel's access code digest, from the panel's events (no shared table with intake)

Revision ID: f1b3d5e7a902
Revises: b7d2f0c3e915
Create Date: 2026-11-26 10:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f1b3d5e7a902'
down_revision = 'b7d2f0c3e915'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tracker_panels') as batch:
        batch.add_column(sa.Column('access_code_sha256', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tracker_panels') as batch:
        batch.drop_column('access_code_sha256')
