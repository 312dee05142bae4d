"""facilitators' one-time sign-in links (only the secret's digest) and their single use

Revision ID: a3f9d2c1b7e4
Revises: e5a7c3d91b20
Create Date: 2026-11-26 11:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a3f9d2c1b7e4'
down_revision = 'e5a7c3d91b20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'intake_signin_links',
        sa.Column('secret_sha256', sa.String(length=64), primary_key=True),
        sa.Column('token_id', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_intake_signin_links_expires_at', 'intake_signin_links', ['expires_at'])
    op.create_table(
        'intake_signin_uses',
        sa.Column('secret_sha256', sa.String(length=64),
                  sa.ForeignKey('intake_signin_links.secret_sha256', ondelete='CASCADE'), primary_key=True),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('intake_signin_uses')
    op.drop_index('ix_intake_signin_links_expires_at', table_name='intake_signin_links')
    op.drop_table('intake_signin_links')
