"""the day police answered a recommendation (the register's answered-on-time rate)

Revision ID: e6a0c2d4f817
Revises: c4e8a1f6b203
Create Date: 2026-11-26 13:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e6a0c2d4f817'
down_revision = 'c4e8a1f6b203'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tracker_recommendations') as batch:
        batch.add_column(sa.Column('decided_on', sa.Date(), nullable=True))
    # An agreed recommendation was answered the day its commitment was agreed.
    op.execute("UPDATE tracker_recommendations SET decided_on = (SELECT c.agreed_on FROM tracker_commitments c "
               "WHERE c.recommendation_id = tracker_recommendations.id) WHERE decision = 'agreed'")


def downgrade() -> None:
    with op.batch_alter_table('tracker_recommendations') as batch:
        batch.drop_column('decided_on')
