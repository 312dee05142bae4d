"""the panels' hash chains: each reply to a decision and each published trust-pulse step, chained

Revision ID: 9c2e7b4d1f58
Revises: b3e7d9a1c4f2
Create Date: 2026-12-03 20:00:00
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa

from services.tracker.domain import hashchain, panelchain


revision = '9c2e7b4d1f58'
down_revision = 'b3e7d9a1c4f2'
branch_labels = None
depends_on = None

KEPT = {'yes': 'shown_kept_yes', 'no': 'shown_kept_no', 'not_sure': 'shown_kept_not_sure'}


def upgrade() -> None:
    chain = op.create_table(
        'tracker_panel_chain',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), primary_key=True, autoincrement=True),
        sa.Column('panel', sa.String(length=64), nullable=False),
        sa.Column('chain', sa.String(length=80), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('ref', sa.String(length=80), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('entry', sa.JSON(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.UniqueConstraint('chain', 'seq', name='uq_tracker_panel_chain_seq'),
        sa.UniqueConstraint('chain', 'ref', name='uq_tracker_panel_chain_ref'),
    )
    op.create_index('ix_tracker_panel_chain_panel', 'tracker_panel_chain', ['panel'])
    # What is already stored starts its chains, so the audit of an upgraded panel is intact.
    conn = op.get_bind()
    rows = [*_replies(conn), *_steps(conn, dt.datetime.now(dt.timezone.utc))]
    if rows:
        op.bulk_insert(chain, rows)


def _replies(conn) -> list[dict]:
    heads: dict[str, tuple[int, str]] = {}
    out = []
    for r in conn.execute(sa.text('SELECT * FROM tracker_replies ORDER BY recommendation_id, at, id')).mappings():
        name = panelchain.reply_chain(r['recommendation_id'])
        ref, entry = panelchain.reply_entry(r)
        out.append(_linked(heads, name, r['panel'], ref, _datetime(r['at']), panelchain.REPLY, entry))
    return out


def _steps(conn, now: dt.datetime) -> list[dict]:
    heads: dict[str, tuple[int, str]] = {}
    out = []
    for r in conn.execute(sa.text('SELECT * FROM tracker_pulse WHERE shown_answers >= 5 '
                                  'ORDER BY panel, period')).mappings():
        ref, entry = panelchain.pulse_entry(r['period'], r['shown_answers'],
                                            [r[f'shown_trust_{n}'] for n in range(1, 6)],
                                            {k: r[column] for k, column in KEPT.items()})
        out.append(_linked(heads, panelchain.pulse_chain(r['panel']), r['panel'], ref, now,
                           panelchain.PULSE_STEP, entry))
    return out


def _linked(heads: dict, name: str, panel: str, ref: str, at, kind: str, entry: dict) -> dict:
    record = hashchain.link(heads.get(name), at, kind, entry)
    heads[name] = (record['seq'], record['hash'])
    return dict(panel=panel, chain=name, ref=ref, **record)


def _datetime(value) -> dt.datetime:
    # A plain SELECT on SQLite hands back the stored text.
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def downgrade() -> None:
    op.drop_index('ix_tracker_panel_chain_panel', table_name='tracker_panel_chain')
    op.drop_table('tracker_panel_chain')
