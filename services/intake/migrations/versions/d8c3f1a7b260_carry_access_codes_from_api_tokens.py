"""panels registered before the access code's digest moved onto the panel's events keep their code

Until then a panel's code was a row of the shared `api_tokens` table (role `panel`), and the
tracker checked it there. Since, intake keeps the digest with the panel and the tracker learns
it only from `panel.registered` / `panel.updated`, so every panel registered before had no
digest anywhere the tracker looks: its code was refused. Here each such panel's live code's
digest is copied into its intake row, and a `panel.updated` carrying it goes into intake's
outbox, so the relay publishes it and the tracker's consumer learns it like any rotation.

The event is built as plain JSON, not with the live models, so this migration keeps working
whatever the models become; it is what `panel.updated` v1 is. Idempotent: only panels without
a digest are touched, and the event id is derived from this revision and the panel.

Revision ID: d8c3f1a7b260
Revises: 5c2e8b7d1f36
Create Date: 2026-12-03 13:40:00
"""
import datetime as dt
import json
import uuid

from alembic import op
import sqlalchemy as sa


revision = 'd8c3f1a7b260'
down_revision = '5c2e8b7d1f36'
branch_labels = None
depends_on = None

_tokens = sa.table('api_tokens', sa.column('id', sa.String), sa.column('secret_sha256', sa.String),
                   sa.column('role', sa.String), sa.column('panel', sa.String),
                   sa.column('created_at', sa.DateTime(timezone=True)),
                   sa.column('revoked_at', sa.DateTime(timezone=True)))
_panels = sa.table('intake_panels', sa.column('slug', sa.String), sa.column('name', sa.String),
                   sa.column('area', sa.String), sa.column('police_lead', sa.JSON), sa.column('escalation', sa.JSON),
                   sa.column('access_code_sha256', sa.String))
_outbox = sa.table('intake_outbox', sa.column('event_id', sa.String), sa.column('topic', sa.String),
                   sa.column('key', sa.String), sa.column('payload', sa.Text))


def upgrade() -> None:
    conn = op.get_bind()
    if not sa.inspect(conn).has_table('api_tokens'):  # intake on a database that never had the shared table
        return
    live = conn.execute(sa.select(_tokens.c.panel, _tokens.c.secret_sha256)
                        .where(_tokens.c.role == 'panel', _tokens.c.revoked_at.is_(None))
                        .order_by(_tokens.c.created_at, _tokens.c.id)).all()
    newest = {panel: code_digest for panel, code_digest in live}  # a rotation revoked the earlier ones anyway
    waiting = conn.execute(sa.select(_panels).where(_panels.c.access_code_sha256.is_(None))
                           .order_by(_panels.c.slug)).all()
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    for row in waiting:
        code_digest = newest.get(row.slug)
        if code_digest is None:
            continue
        conn.execute(sa.update(_panels).where(_panels.c.slug == row.slug).values(access_code_sha256=code_digest))
        event = _panel_updated(row, code_digest, now)
        conn.execute(sa.insert(_outbox).values(event_id=event['id'], topic='followthrough.panels', key=row.slug,
                                               payload=json.dumps(event, separators=(',', ':'))))


def _panel_updated(row, code_digest: str, now: str) -> dict:
    panel = {'slug': row.slug, 'name': row.name, 'area': row.area, 'police_lead': row.police_lead,
             'escalation': row.escalation, 'access_code_sha256': code_digest}
    return {
        'specversion': '1.0',
        'id': str(uuid.uuid5(uuid.NAMESPACE_URL, f'urn:followthrough:intake:{revision}:{row.slug}')),
        'source': 'followthrough/intake',
        'type': 'panel.updated',
        'time': now,
        'subject': row.slug,
        'datacontenttype': 'application/json',
        'dataschema': 'urn:followthrough:schema:panel.updated:v1',
        'data': {'panel': panel},
    }


def downgrade() -> None:
    pass  # the digests stay: the code they check is the one each panel was given
