"""sign-in emails waiting to be sent, retried until their link expires

Revision ID: f3b8d5a1c2e7
Revises: d8c3f1a7b260
Create Date: 2026-12-03 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f3b8d5a1c2e7'
down_revision = 'd8c3f1a7b260'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'intake_signin_emails',
        sa.Column('link_sha256', sa.String(length=64), primary_key=True),
        sa.Column('recipient', sa.String(length=320), nullable=False),
        sa.Column('link', sa.Text()),
        sa.Column('message_id', sa.String(length=200), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True)),
        sa.Column('claim_token', sa.String(length=36)),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.String(length=1000)),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_intake_signin_emails_due', 'intake_signin_emails', ['state', 'next_attempt_at'])


def downgrade() -> None:
    op.drop_index('ix_intake_signin_emails_due', table_name='intake_signin_emails')
    op.drop_table('intake_signin_emails')
