"""facilitators' sessions on the server (only the random id's digest, the token, the expiry)

Revision ID: b7d2e4f6a8c1
Revises: 9a4e7c2b1d60
Create Date: 2026-12-03 13:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d2e4f6a8c1'
down_revision = '9a4e7c2b1d60'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'intake_sessions',
        sa.Column('id_sha256', sa.String(length=64), primary_key=True),
        sa.Column('token_id', sa.String(length=16), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_intake_sessions_expires_at', 'intake_sessions', ['expires_at'])


def downgrade() -> None:
    op.drop_index('ix_intake_sessions_expires_at', table_name='intake_sessions')
    op.drop_table('intake_sessions')
