"""scores: at most one latest score per posting (partial unique index), R39

Concurrent scorers used to leave two rows marked latest for one posting, and the one kept could be
the older. Before the index is created, each posting keeps as latest only its newest latest row
(the highest ``scored_at``, then the highest id); the others are retired (kept as history).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 16:55:00
"""

from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    true = "true" if op.get_bind().dialect.name == "postgresql" else "1"
    op.execute(
        f"UPDATE scores SET is_latest = NOT {true} WHERE is_latest AND EXISTS ("
        "SELECT 1 FROM scores AS newer WHERE newer.posting_id = scores.posting_id AND newer.is_latest "
        "AND (newer.scored_at > scores.scored_at OR (newer.scored_at = scores.scored_at AND newer.id > scores.id)))"
    )
    op.execute("CREATE UNIQUE INDEX uq_scores_one_latest ON scores (posting_id) WHERE is_latest")


def downgrade() -> None:
    op.execute("DROP INDEX uq_scores_one_latest")
