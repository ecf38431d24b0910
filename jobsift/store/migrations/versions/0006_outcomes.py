"""outcomes: outcome_events (history), posting_outcomes (current + re-observation schedule), jobs.outcome

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

#: The outcome a reader sees: a resolved outcome stands; otherwise a posting gone from its listing is
#: ``gone`` (censored); otherwise the latest observation, or ``open`` while it is listed.
OUTCOME_SQL = (
    "CASE WHEN o.outcome IN ('hired', 'closed_no_hire') THEN o.outcome "
    "WHEN p.gone_at IS NOT NULL THEN 'gone' ELSE coalesce(o.outcome, 'open') END"
)

VIEW_SQL = f"""
CREATE VIEW jobs AS
SELECT
    p.id, p.source, p.external_id, p.url, p.title, p.description_text,
    p.posted_at, p.first_seen_at, p.last_seen_at, p.gone_at, p.seen_count,
    p.budget_kind, p.budget_min, p.budget_max, p.budget_currency,
    p.budget_min_usd, p.budget_max_usd, p.budget_provenance, p.budget_raw,
    p.category, p.skills, p.country, p.experience_level, p.company, p.job_type,
    p.location, p.remote, p.proposals, p.interviewing, p.invites_sent,
    p.unanswered_invites, p.hires, p.last_client_activity_at,
    s.quality, s.flags, s.flags_text, s.ghost_probability, s.payment_status,
    s.lowball_ratio, s.lowball_percentile, s.reasons, s.model_version, s.scored_at,
    c.id AS client_id, c.name AS client_name, c.payment_verified AS client_payment_verified,
    c.total_spent AS client_total_spent, c.jobs_posted AS client_jobs_posted,
    c.jobs_with_hires AS client_jobs_with_hires, c.hire_rate AS client_hire_rate,
    c.open_jobs AS client_open_jobs, c.reviews_count AS client_reviews_count,
    c.rating AS client_rating, c.member_since AS client_member_since,
    c.country AS client_country,
    {OUTCOME_SQL} AS outcome,
    o.observed_at AS outcome_observed_at, o.resolved_at AS outcome_resolved_at,
    o.source_field AS outcome_source_field, o.checks AS outcome_checks
FROM postings p
LEFT JOIN scores s ON s.posting_id = p.id AND s.is_latest
LEFT JOIN clients c ON c.id = p.client_id
LEFT JOIN posting_outcomes o ON o.posting_id = p.id
"""  # noqa: S608 - constant SQL, no input


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


def downgrade() -> None:
    from jobsift.store.schema import JOBS_VIEW_SQL

    op.execute("DROP VIEW IF EXISTS jobs")
    op.execute(JOBS_VIEW_SQL)
    op.drop_index(op.f('ix_posting_outcomes_next_check_at'), table_name='posting_outcomes')
    op.drop_table('posting_outcomes')
    op.drop_index(op.f('ix_outcome_events_posting_id_observed_at'), table_name='outcome_events')
    op.drop_table('outcome_events')
