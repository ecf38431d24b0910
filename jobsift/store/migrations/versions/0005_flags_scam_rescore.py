"""flags: the `scam` flag and the ghost figure's basis; every posting is rescored

Scores written before this revision have no `scam` flag and state the ghost figure as a
probability whatever model made it. `scores.ghost_basis` (JSON, nullable) now records how each
score's ghost figure may be worded (calibrated or not; see jobsift/scoring/evidence.py). The upgrade marks every posting `needs_scoring`, so the next
`jobsift score` (also run by every crawl, import, the daemon and the workers) rescores the whole
store with the flag registry; `jobsift score --all` does it at once.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 16:30:00
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

log = logging.getLogger("jobsift.store")


def upgrade() -> None:
    with op.batch_alter_table("scores") as batch:
        batch.add_column(sa.Column("ghost_basis", sa.JSON(), nullable=True,
                                   comment="How the ghost figure may be worded: calibrated or not, level, outcomes"))
    done = op.get_bind().exec_driver_sql("UPDATE postings SET needs_scoring = true").rowcount
    if done:
        log.warning("flags changed (new: scam): %d postings will be rescored by the next 'jobsift score' "
                    "(or run 'jobsift score --all' now)", done)


def downgrade() -> None:
    # A plain DROP COLUMN on both backends (SQLite >= 3.35): a batch rebuild of the table would
    # rename it under the jobs view that reads it, which SQLite refuses.
    op.execute("ALTER TABLE scores DROP COLUMN ghost_basis")
