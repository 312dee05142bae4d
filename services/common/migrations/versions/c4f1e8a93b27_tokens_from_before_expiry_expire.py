"""tokens issued before expiry existed expire: the default lifetime from the day of this upgrade

Until b7e2a91c4d05 tokens had no expiry, and that revision left theirs null: they never
expired. Here each such admin, facilitator and owner token is given the default lifetime
(90 days, `tokens.DEFAULT_DAYS` when this was written; fixed here so that this revision does the
same whatever the code becomes), counted from now, so that nobody is locked out by the upgrade
itself. `expiry_from_upgrade` marks them for `followthrough token list`. Rows of role `panel` are
0.1.0 panel access codes, not tokens: intake's d8c3f1a7b260 carried them into its own table, and
they are left as they are. Runs once, like every revision; a second pass would find nothing null.

Revision ID: c4f1e8a93b27
Revises: b7e2a91c4d05
Create Date: 2026-12-03 20:00:00
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa
import structlog


revision = 'c4f1e8a93b27'
down_revision = 'b7e2a91c4d05'
branch_labels = None
depends_on = None

LIFETIME = dt.timedelta(days=90)
ROLES = ('admin', 'facilitator', 'owner')

_tokens = sa.table('api_tokens', sa.column('role', sa.String), sa.column('expires_at', sa.DateTime(timezone=True)),
                   sa.column('expiry_from_upgrade', sa.Boolean))


def upgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expiry_from_upgrade', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    expires = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + LIFETIME
    given = op.get_bind().execute(
        sa.update(_tokens).where(_tokens.c.expires_at.is_(None), _tokens.c.role.in_(ROLES))
        .values(expires_at=expires, expiry_from_upgrade=True)).rowcount
    if given:
        structlog.get_logger().warning(
            "tokens.expiry_given", tokens=given, expires=expires.isoformat(),
            message=f"{given} tokens issued before expiry existed now expire on {expires:%Y-%m-%d %H:%M} UTC; "
                    "`followthrough token list` marks them")


def downgrade() -> None:
    op.get_bind().execute(sa.update(_tokens).where(_tokens.c.expiry_from_upgrade.is_(True)).values(expires_at=None))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expiry_from_upgrade')
