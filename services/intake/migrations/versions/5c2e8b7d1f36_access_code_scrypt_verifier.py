"""a panel's access code verifier grows from an old code's SHA-256 (64 hex characters) to a new
code's scrypt PHC string (accesscode.py); the SHA-256 of old codes stays and keeps working

Revision ID: 5c2e8b7d1f36
Revises: b7d2e4f6a8c1
Create Date: 2026-12-03 13:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5c2e8b7d1f36'
down_revision = 'b7d2e4f6a8c1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('intake_panels') as batch:
        batch.alter_column('access_code_sha256', existing_type=sa.String(length=64), type_=sa.String(length=200))


def downgrade() -> None:
    # A new code's hash does not fit the old width: those panels need a new code (rotate) after this.
    op.execute("UPDATE intake_panels SET access_code_sha256 = NULL WHERE length(access_code_sha256) > 64")
    with op.batch_alter_table('intake_panels') as batch:
        batch.alter_column('access_code_sha256', existing_type=sa.String(length=200), type_=sa.String(length=64))
