"""right of reply (branch `reply`): decline codes and who_can, counter-proposals, answer rounds, replies

Revision ID: e17a0c5d2b94
Revises: 7e4a0c2b9d61
Create Date: 2026-11-26 13:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e17a0c5d2b94'
down_revision = '7e4a0c2b9d61'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tracker_recommendations') as batch:
        batch.add_column(sa.Column('decline_code', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('who_can', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('counter_to', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('response_round', sa.Integer(), nullable=False, server_default='1'))
    op.create_table(
        'tracker_replies',
        sa.Column('id', sa.String(length=36), primary_key=True),
        sa.Column('recommendation_id', sa.String(length=36), nullable=False),
        sa.Column('panel', sa.String(length=64), nullable=False),
        sa.Column('decision', sa.String(length=10), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('reply', sa.String(length=10), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('respond_by', sa.Date(), nullable=True),
        sa.Column('counter_id', sa.String(length=36), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('recommendation_id', 'decision', 'round', name='uq_tracker_replies_decision'),
    )
    op.create_index('ix_tracker_replies_panel', 'tracker_replies', ['panel'])


def downgrade() -> None:
    op.drop_index('ix_tracker_replies_panel', table_name='tracker_replies')
    op.drop_table('tracker_replies')
    with op.batch_alter_table('tracker_recommendations') as batch:
        batch.drop_column('response_round')
        batch.drop_column('counter_to')
        batch.drop_column('who_can')
        batch.drop_column('decline_code')
