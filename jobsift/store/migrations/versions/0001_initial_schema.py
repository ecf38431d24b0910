"""initial schema

Revision ID: 0001
Revises: none
Create Date: 2026-11-22 01:43:49.265172
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

#: The analyst view as this migration created it (frozen; 0006 adds the outcome columns).
JOBS_VIEW_SQL = """
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
    c.country AS client_country
FROM postings p
LEFT JOIN scores s ON s.posting_id = p.id AND s.is_latest
LEFT JOIN clients c ON c.id = p.client_id
"""


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False, comment='Source the client was seen on'),
    sa.Column('client_key', sa.Text(), nullable=False, comment="Source's client id, or a name-derived key"),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('payment_verified', sa.Boolean(), nullable=True, comment='NULL = the source does not say'),
    sa.Column('total_spent', sa.Float(), nullable=True, comment='USD'),
    sa.Column('jobs_posted', sa.Integer(), nullable=True),
    sa.Column('jobs_with_hires', sa.Integer(), nullable=True),
    sa.Column('hire_rate', sa.Float(), nullable=True, comment='0-1'),
    sa.Column('open_jobs', sa.Integer(), nullable=True),
    sa.Column('reviews_count', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Float(), nullable=True, comment='0-5'),
    sa.Column('member_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('country', sa.Text(), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stats_hash', sa.String(length=40), nullable=True, comment='Hash of the stats; a change triggers rescoring'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clients')),
    sa.UniqueConstraint('source', 'client_key', name=op.f('uq_clients_source_client_key'))
    )
    op.create_table('digests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.Text(), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False, comment='e.g. 2026-11-22 (daily)'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False, comment='pending, sent, failed'),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('claimed_by', sa.String(length=128), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digests')),
    sa.UniqueConstraint('recipient', 'period', name=op.f('uq_digests_recipient_period'))
    )
    op.create_table('runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False, comment='running, ok, partial, failed, aborted'),
    sa.Column('trigger', sa.String(length=32), nullable=False, comment='cli, schedule, worker, demo, import'),
    sa.Column('worker', sa.String(length=128), nullable=True, comment='host:pid of the process'),
    sa.Column('stats', sa.JSON(), nullable=True, comment='Namespaced counters, e.g. fetch/not_modified'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_runs'))
    )
    op.create_table('sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False, comment='Name from jobsift.toml'),
    sa.Column('format', sa.String(length=32), nullable=False, comment='Parser name'),
    sa.Column('url', sa.Text(), nullable=False, comment='Feed URL'),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('etag', sa.Text(), nullable=True, comment='ETag of the last 200 response, sent as If-None-Match'),
    sa.Column('last_modified', sa.Text(), nullable=True, comment='Last-Modified of the last 200, sent as If-Modified-Since'),
    sa.Column('last_fetch_at', sa.DateTime(timezone=True), nullable=True, comment='When the last fetch finished'),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True, comment='When a fetch last succeeded (ok, partial or not_modified)'),
    sa.Column('last_outcome', sa.String(length=16), nullable=True, comment='ok, not_modified, partial, failed, blocked, deferred'),
    sa.Column('last_error', sa.Text(), nullable=True, comment='Reason of the last failure, one line'),
    sa.Column('last_error_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_items', sa.Integer(), nullable=True, comment='Items the last successful parse found'),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('next_due_at', sa.DateTime(timezone=True), nullable=True, comment='Earliest time the source should be crawled again'),
    sa.Column('lease_owner', sa.String(length=128), nullable=True, comment='Worker holding the source now'),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True, comment='When that claim lapses if not renewed'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sources')),
    sa.UniqueConstraint('name', name=op.f('uq_sources_name'))
    )
    op.create_table('client_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('observed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('payment_verified', sa.Boolean(), nullable=True),
    sa.Column('total_spent', sa.Float(), nullable=True),
    sa.Column('jobs_posted', sa.Integer(), nullable=True),
    sa.Column('jobs_with_hires', sa.Integer(), nullable=True),
    sa.Column('hire_rate', sa.Float(), nullable=True),
    sa.Column('open_jobs', sa.Integer(), nullable=True),
    sa.Column('reviews_count', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_client_snapshots_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_snapshots'))
    )
    with op.batch_alter_table('client_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_snapshots_client_id_observed_at'), ['client_id', 'observed_at'], unique=False)

    op.create_table('fetches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True, comment='ok, not_modified, partial, failed, blocked, deferred'),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('bytes', sa.Integer(), nullable=True),
    sa.Column('items', sa.Integer(), nullable=True, comment='Items parsed'),
    sa.Column('new_items', sa.Integer(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('stats', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_fetches_run_id_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_fetches_source_id_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fetches'))
    )
    with op.batch_alter_table('fetches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fetches_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fetches_source_id_started_at'), ['source_id', 'started_at'], unique=False)

    op.create_table('postings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('external_id', sa.Text(), nullable=False, comment="The source's id (or canonical URL)"),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description_text', sa.Text(), nullable=True),
    sa.Column('description_html', sa.Text(), nullable=True, comment='Sanitised HTML, safe to display'),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=True, comment='When the source says it was posted'),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False, comment='When jobsift first saw it'),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False, comment='When jobsift last saw it in its feed'),
    sa.Column('gone_at', sa.DateTime(timezone=True), nullable=True, comment='When it was first missing from a healthy feed; NULL while listed'),
    sa.Column('seen_count', sa.Integer(), nullable=False, comment='Crawls that listed it'),
    sa.Column('budget_kind', sa.String(length=16), nullable=True, comment='fixed, hourly, salary_year, salary_month'),
    sa.Column('budget_min', sa.Float(), nullable=True),
    sa.Column('budget_max', sa.Float(), nullable=True),
    sa.Column('budget_currency', sa.String(length=8), nullable=True),
    sa.Column('budget_min_usd', sa.Float(), nullable=True),
    sa.Column('budget_max_usd', sa.Float(), nullable=True),
    sa.Column('budget_provenance', sa.String(length=16), nullable=True, comment='field, parsed_from_text, none'),
    sa.Column('budget_raw', sa.Text(), nullable=True, comment='The budget text as the source wrote it'),
    sa.Column('category', sa.Text(), nullable=True),
    sa.Column('skills', sa.JSON(), nullable=True, comment='List of skill names'),
    sa.Column('country', sa.Text(), nullable=True),
    sa.Column('experience_level', sa.String(length=32), nullable=True),
    sa.Column('company', sa.Text(), nullable=True),
    sa.Column('job_type', sa.String(length=64), nullable=True),
    sa.Column('location', sa.Text(), nullable=True),
    sa.Column('remote', sa.Boolean(), nullable=True),
    sa.Column('proposals', sa.Integer(), nullable=True),
    sa.Column('interviewing', sa.Integer(), nullable=True),
    sa.Column('invites_sent', sa.Integer(), nullable=True),
    sa.Column('unanswered_invites', sa.Integer(), nullable=True),
    sa.Column('hires', sa.Integer(), nullable=True),
    sa.Column('last_client_activity_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('content_hash', sa.String(length=40), nullable=False, comment='Hash of the facts; a change rescores'),
    sa.Column('fingerprint', sa.String(length=16), nullable=True, comment='64-bit SimHash of the text (hex), for reposts'),
    sa.Column('raw', sa.JSON(), nullable=True, comment='The source item as received (pruned after retention)'),
    sa.Column('needs_scoring', sa.Boolean(), nullable=False),
    sa.Column('score_error', sa.Text(), nullable=True, comment='Why the last scoring attempt failed'),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_postings_client_id_clients'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_postings')),
    sa.UniqueConstraint('source', 'external_id', name=op.f('uq_postings_source_external_id'))
    )
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_postings_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_postings_fingerprint'), ['fingerprint'], unique=False)
        batch_op.create_index(batch_op.f('ix_postings_first_seen_at'), ['first_seen_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_postings_needs_scoring'), ['needs_scoring'], unique=False)
        batch_op.create_index(batch_op.f('ix_postings_posted_at'), ['posted_at'], unique=False)

    op.create_table('digest_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest_id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.Text(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['digest_id'], ['digests.id'], name=op.f('fk_digest_items_digest_id_digests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_digest_items_posting_id_postings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_items')),
    sa.UniqueConstraint('recipient', 'posting_id', name=op.f('uq_digest_items_recipient_posting_id'))
    )
    op.create_table('labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=16), nullable=False, comment='ghost, ok, scam, lowball, hired'),
    sa.Column('origin', sa.String(length=16), nullable=False, comment='user or observed'),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_labels_posting_id_postings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_labels'))
    )
    with op.batch_alter_table('labels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_labels_posting_id'), ['posting_id'], unique=False)

    op.create_table('scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_latest', sa.Boolean(), nullable=False),
    sa.Column('model_version', sa.String(length=64), nullable=False),
    sa.Column('quality', sa.Float(), nullable=False, comment='0-100'),
    sa.Column('flags', sa.JSON(), nullable=False, comment='List of flag codes'),
    sa.Column('flags_text', sa.Text(), nullable=False, comment="Flags as ',a,b,' for LIKE"),
    sa.Column('ghost_probability', sa.Float(), nullable=True),
    sa.Column('payment_status', sa.String(length=16), nullable=True, comment='verified, unverified, unknown'),
    sa.Column('lowball_ratio', sa.Float(), nullable=True, comment='Budget / market median'),
    sa.Column('lowball_percentile', sa.Float(), nullable=True, comment="Budget's percentile in its market"),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('features', sa.JSON(), nullable=False, comment='Inputs; explain reproduces the score'),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_scores_posting_id_postings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scores'))
    )
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scores_is_latest_quality'), ['is_latest', 'quality'], unique=False)
        batch_op.create_index(batch_op.f('ix_scores_posting_id_is_latest'), ['posting_id', 'is_latest'], unique=False)

    op.create_table('sightings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('gone_at', sa.DateTime(timezone=True), nullable=True, comment='NULL while this stretch of listing is open'),
    sa.Column('count', sa.Integer(), nullable=False, comment='Crawls in this stretch'),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_sightings_posting_id_postings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sightings'))
    )
    with op.batch_alter_table('sightings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sightings_posting_id_first_seen_at'), ['posting_id', 'first_seen_at'], unique=False)

    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sink', sa.Text(), nullable=False, comment='Webhook URL'),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False, comment='pending, sent, failed'),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_webhook_deliveries_posting_id_postings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('sink', 'posting_id', name=op.f('uq_webhook_deliveries_sink_posting_id'))
    )
    op.execute(JOBS_VIEW_SQL)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS jobs")
    op.drop_table('webhook_deliveries')
    with op.batch_alter_table('sightings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sightings_posting_id_first_seen_at'))

    op.drop_table('sightings')
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scores_posting_id_is_latest'))
        batch_op.drop_index(batch_op.f('ix_scores_is_latest_quality'))

    op.drop_table('scores')
    with op.batch_alter_table('labels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_labels_posting_id'))

    op.drop_table('labels')
    op.drop_table('digest_items')
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_postings_posted_at'))
        batch_op.drop_index(batch_op.f('ix_postings_needs_scoring'))
        batch_op.drop_index(batch_op.f('ix_postings_first_seen_at'))
        batch_op.drop_index(batch_op.f('ix_postings_fingerprint'))
        batch_op.drop_index(batch_op.f('ix_postings_client_id'))

    op.drop_table('postings')
    with op.batch_alter_table('fetches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fetches_source_id_started_at'))
        batch_op.drop_index(batch_op.f('ix_fetches_run_id'))

    op.drop_table('fetches')
    with op.batch_alter_table('client_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_snapshots_client_id_observed_at'))

    op.drop_table('client_snapshots')
    op.drop_table('sources')
    op.drop_table('runs')
    op.drop_table('digests')
    op.drop_table('clients')
