"""delivery claim token and give_up_after

Revision ID: 3f2b9c1d7e44
Revises: 871c69adc5e5
Create Date: 2026-11-24 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '3f2b9c1d7e44'
down_revision = '871c69adc5e5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notifier_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_token', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('give_up_after', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notifier_deliveries', schema=None) as batch_op:
        batch_op.drop_column('give_up_after')
        batch_op.drop_column('claim_token')
