"""The analyst views as the code declares them now: the one current copy of their SQL.

``schema.create_all`` creates them and the newest migration that (re)defines a view executes this
text. Older migrations keep their own frozen copy of the text they ran. Changing a view: edit it
here, freeze the previous text into the migration that used to point here, and add a migration
that drops and recreates the view from this module and records the text's ``VIEWS_SHA256``
(``tests/store/test_views.py`` checks that a migrated store and a created one have the same views,
and fails when this text changes without such a migration).
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

#: The outcome a reader sees: a resolved outcome stands; otherwise a posting gone from its listing is
#: ``gone`` (censored); otherwise the latest observation, or ``open`` while it is listed.
OUTCOME_SQL = (
    "CASE WHEN o.outcome IN ('hired', 'closed_no_hire') THEN o.outcome "
    "WHEN p.gone_at IS NOT NULL THEN 'gone' ELSE coalesce(o.outcome, 'open') END"
)

JOBS_VIEW_SQL = f"""
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

#: Every view, by name, in creation order.
VIEWS = {"jobs": JOBS_VIEW_SQL}


def create_views(conn: Connection) -> None:
    for name, sql in VIEWS.items():
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")
        conn.exec_driver_sql(sql)
