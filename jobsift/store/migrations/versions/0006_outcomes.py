"""outcomes: outcome_events (history), posting_outcomes (current + re-observation schedule), jobs.outcome

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 16:00:00
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# The current view text (the newest migration that defines the view reads it from there). When a
# later migration changes the view, freeze a copy of this text here and point that one at views.
from jobsift.store.views import JOBS_VIEW_SQL as VIEW_SQL

#: sha256 of the views' text this migration was written for (``tests/store/test_views.py``): a change
#: to ``jobsift/store/views.py`` needs a new migration that recreates the views, since stores already
#: at this revision would keep the old text.
VIEWS_SHA256 = "ca033030202e44945cb09699755ecc8fcb3a9b2c094e93515d4d711da2dd8185"

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outcome_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('observed_at', sa.DateTime(timezone=True), nullable=False,
              comment='When jobsift read it from the source'),
    sa.Column('outcome', sa.String(length=16), nullable=False, comment='open, hired, closed_no_hire, unknown'),
    sa.Column('source_field', sa.Text(), nullable=False,
              comment='The source field it came from, e.g. clientActivity.totalHired'),
    sa.Column('value', sa.Text(), nullable=True, comment="That field's value as the source gave it"),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_outcome_events_posting_id_postings'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_events')),
    )
    op.create_index(op.f('ix_outcome_events_posting_id_observed_at'), 'outcome_events',
                    ['posting_id', 'observed_at'], unique=False)
    op.create_table('posting_outcomes',
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True,
              comment='Latest observed: open, hired, closed_no_hire, unknown; NULL: not yet'),
    sa.Column('source_field', sa.Text(), nullable=True, comment='Field of the latest change'),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('observed_at', sa.DateTime(timezone=True), nullable=True, comment='When the latest change was observed'),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True,
              comment='When hired or closed_no_hire was first observed; NULL while unresolved'),
    sa.Column('checks', sa.Integer(), nullable=False, comment='Re-observation requests made'),
    sa.Column('last_checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_check_at', sa.DateTime(timezone=True), nullable=True,
              comment='When to ask the source again; NULL: resolved or schedule finished'),
    sa.Column('last_error', sa.Text(), nullable=True, comment='Why the last re-observation failed, one line'),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_posting_outcomes_posting_id_postings'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('posting_id', name=op.f('pk_posting_outcomes')),
    )
    op.create_index(op.f('ix_posting_outcomes_next_check_at'), 'posting_outcomes', ['next_check_at'], unique=False)
    op.execute("DROP VIEW IF EXISTS jobs")
    op.execute(VIEW_SQL)


def _view_0001() -> str:
    """Migration 0001's frozen view text (the versions folder is not a package)."""
    path = Path(__file__).with_name("0001_initial_schema.py")
    spec = importlib.util.spec_from_file_location("jobsift_migration_0001", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.JOBS_VIEW_SQL)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS jobs")
    op.execute(_view_0001())
    op.drop_index(op.f('ix_posting_outcomes_next_check_at'), table_name='posting_outcomes')
    op.drop_table('posting_outcomes')
    op.drop_index(op.f('ix_outcome_events_posting_id_observed_at'), table_name='outcome_events')
    op.drop_table('outcome_events')
