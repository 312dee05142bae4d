"""the panel's access code digest lives with the panel (it travels on the panel's events)

Revision ID: e5a7c3d91b20
Revises: c41d8e2f7a93
Create Date: 2026-11-26 10:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e5a7c3d91b20'
down_revision = 'c41d8e2f7a93'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('intake_panels') as batch:
        batch.add_column(sa.Column('access_code_sha256', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('intake_panels') as batch:
        batch.drop_column('access_code_sha256')
