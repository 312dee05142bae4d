"""decline codes (who_can), counter-proposals, and the replies intake consumed once

Revision ID: 9a4e7c2b1d60
Revises: a3f9d2c1b7e4
Create Date: 2026-11-26 13:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '9a4e7c2b1d60'
down_revision = 'a3f9d2c1b7e4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('intake_recommendations') as batch:
        batch.add_column(sa.Column('decline_code', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('who_can', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('counter_to', sa.String(length=36), nullable=True))
    op.create_table(
        'intake_processed_events',
        sa.Column('event_id', sa.String(length=36), primary_key=True),
        sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table('intake_processed_events')
    with op.batch_alter_table('intake_recommendations') as batch:
        batch.drop_column('counter_to')
        batch.drop_column('who_can')
        batch.drop_column('decline_code')
