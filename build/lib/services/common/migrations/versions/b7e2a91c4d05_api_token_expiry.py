"""api token expiry

Revision ID: b7e2a91c4d05
Revises: f859f4d230e0
Create Date: 2026-11-24 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e2a91c4d05'
down_revision = 'f859f4d230e0'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Tokens issued before this revision keep a null expires_at: they do not expire until revoked
    # (`followthrough token list` shows them as "never").
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
