"""who a kept commitment was kept by: "panel" when the panel confirmed it, "no_answer" when the
panel did not answer within the confirmation window (contract §5 "Closing the loop")

Revision ID: c8f2a6d0e4b1
Revises: c8a2e6f4d1b9
Create Date: 2026-12-04 04:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c8f2a6d0e4b1'
down_revision = 'c8a2e6f4d1b9'
branch_labels = None
depends_on = None

# The last way into kept, from the timeline: a "confirmed" entry is the panel's check, a "kept"
# entry is silence past the window. A reopening ends in a later "completed", then a later one of these.
BACKFILL = """
UPDATE tracker_commitments SET kept_by = CASE (
    SELECT t.kind FROM tracker_timeline t
    WHERE t.commitment_id = tracker_commitments.id AND t.kind IN ('confirmed', 'kept')
    ORDER BY t.seq DESC LIMIT 1)
  WHEN 'confirmed' THEN 'panel' WHEN 'kept' THEN 'no_answer' END
WHERE status = 'kept'
"""


def upgrade() -> None:
    op.add_column('tracker_commitments', sa.Column('kept_by', sa.String(length=20), nullable=True))
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table('tracker_commitments') as batch:
        batch.drop_column('kept_by')
