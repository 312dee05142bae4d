"""languages (contract §8.4): a panel's, a commitment owner's, and a recommendation's titles in
Welsh and English

Revision ID: a7c3e9d1f5b2
Revises: 5b8e2d7f0a13
Create Date: 2026-12-03 23:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a7c3e9d1f5b2'
down_revision = '5b8e2d7f0a13'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tracker_panels', sa.Column('language', sa.String(10), nullable=False, server_default='en'))
    op.add_column('tracker_commitments', sa.Column('owner_language', sa.String(2), nullable=True))
    op.add_column('tracker_recommendations', sa.Column('titles', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tracker_recommendations') as batch:
        batch.drop_column('titles')
    with op.batch_alter_table('tracker_commitments') as batch:
        batch.drop_column('owner_language')
    with op.batch_alter_table('tracker_panels') as batch:
        batch.drop_column('language')
