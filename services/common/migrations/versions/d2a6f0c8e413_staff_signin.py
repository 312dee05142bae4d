"""staff sign-in: sign-ins under way, sessions, facilitators' panel bindings

Revision ID: d2a6f0c8e413
Revises: c4f1e8a93b27
Create Date: 2026-12-03 20:20:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'd2a6f0c8e413'
down_revision = 'c4f1e8a93b27'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'common_staff_logins',
        sa.Column('state_sha256', sa.String(length=64), nullable=False),
        sa.Column('nonce', sa.String(length=64), nullable=False),
        sa.Column('code_verifier', sa.String(length=128), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('state_sha256'),
    )
    op.create_table(
        'common_staff_sessions',
        sa.Column('id_sha256', sa.String(length=64), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('roles', sa.String(length=200), nullable=False),
        sa.Column('name', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id_sha256'),
    )
    op.create_table(
        'common_staff_panels',
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('panel', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('email', 'panel'),
    )


def downgrade() -> None:
    op.drop_table('common_staff_panels')
    op.drop_table('common_staff_sessions')
    op.drop_table('common_staff_logins')
