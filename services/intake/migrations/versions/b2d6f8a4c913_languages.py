"""languages (contract §8.4): a panel's language, and a recommendation's titles in Welsh and
English, kept so a later panel.updated or decision carries them again

Revision ID: b2d6f8a4c913
Revises: f3b8d5a1c2e7
Create Date: 2026-12-03 23:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b2d6f8a4c913'
down_revision = 'f3b8d5a1c2e7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('intake_panels', sa.Column('language', sa.String(10), nullable=False, server_default='en'))
    op.add_column('intake_recommendations', sa.Column('titles', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('intake_recommendations') as batch:
        batch.drop_column('titles')
    with op.batch_alter_table('intake_panels') as batch:
        batch.drop_column('language')
