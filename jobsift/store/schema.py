"""The store's tables (SQLAlchemy Core). Documented for analysts in docs/schema.md.

Growth per source per day is bounded by *new* postings, not by crawls: a crawl that sees a known
posting updates its row (``last_seen_at``, ``seen_count``) and the open row of ``sightings``; a new
``sightings`` row is written only when a posting reappears after being gone, a new
``client_snapshots`` row only when a client's stats change, a new ``scores`` row only when the
posting or its client changed. ``fetches`` gets one row per source per crawl (about 100 bytes) and
is pruned by ``jobsift db prune``.
"""

from __future__ import annotations

import warnings
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Computed,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SAWarning

from jobsift.store.columns import UTCDateTime, metadata, ts
from jobsift.store.feature_tables import (
    OUTCOMES,
    RESOLVED,
    applications,
    digest_items,
    digests,
    job_claims,
    job_marks,
    outcome_events,
    posting_outcomes,
    visits,
    webhook_deliveries,
)
from jobsift.store.views import create_views

__all__ = [
    "OUTCOMES",
    "RESOLVED",
    "UTCDateTime",
    "applications",
    "client_snapshots",
    "clients",
    "create_all",
    "digest_items",
    "digests",
    "fetches",
    "job_claims",
    "job_marks",
    "labels",
    "metadata",
    "outcome_events",
    "posting_outcomes",
    "postings",
    "runs",
    "scores",
    "sightings",
    "sources",
    "ts",
    "visits",
    "webhook_deliveries",
]


sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True, comment="Name from jobsift.toml"),
    Column("format", String(32), nullable=False, comment="Parser name"),
    Column("url", Text, nullable=False, comment="Feed URL"),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("etag", Text, comment="ETag of the last 200 response, sent as If-None-Match"),
    Column("last_modified", Text, comment="Last-Modified of the last 200, sent as If-Modified-Since"),
    ts("last_fetch_at", doc="When the last fetch finished"),
    ts("last_success_at", doc="When a fetch last succeeded (ok, partial or not_modified)"),
    Column("last_outcome", String(16), comment="ok, not_modified, partial, failed, blocked, deferred"),
    Column("last_error", Text, comment="Reason of the last failure, one line"),
    ts("last_error_at"),
    Column("last_items", Integer, comment="Items the last successful parse found"),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    ts("next_due_at", doc="Earliest time the source should be crawled again"),
    Column("lease_owner", String(128), comment="Worker holding the source now"),
    ts("lease_expires_at", doc="When that claim lapses if not renewed"),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    ts("started_at", nullable=False),
    ts("finished_at"),
    Column("status", String(16), nullable=False, comment="running, ok, partial, failed, aborted"),
    Column("trigger", String(32), nullable=False, default="cli", comment="cli, schedule, worker, demo, import"),
    Column("worker", String(128), comment="host:pid of the process"),
    Column("stats", JSON, comment="Namespaced counters, e.g. fetch/not_modified"),
)

fetches = Table(
    "fetches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    ts("started_at", nullable=False),
    ts("finished_at"),
    Column("url", Text),
    Column("status_code", Integer),
    Column("outcome", String(16), comment="ok, not_modified, partial, failed, blocked, deferred"),
    Column("reason", Text),
    Column("bytes", Integer),
    Column("items", Integer, comment="Items parsed"),
    Column("new_items", Integer),
    Column("duration_ms", Integer),
    Column("stats", JSON),
    Index(None, "source_id", "started_at"),
    Index(None, "run_id"),
)

clients = Table(
    "clients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(64), nullable=False, comment="Source the client was seen on"),
    Column("client_key", Text, nullable=False, comment="Source's client id, or a name-derived key"),
    Column("name", Text),
    Column("payment_verified", Boolean, comment="NULL = the source does not say"),
    Column("total_spent", Float, comment="USD"),
    Column("jobs_posted", Integer),
    Column("jobs_with_hires", Integer),
    Column("hire_rate", Float, comment="0-1"),
    Column("open_jobs", Integer),
    Column("reviews_count", Integer),
    Column("rating", Float, comment="0-5"),
    ts("member_since"),
    Column("country", Text),
    ts("first_seen_at", nullable=False),
    ts("updated_at", nullable=False),
    Column("stats_hash", String(40), comment="Hash of the stats; a change triggers rescoring"),
    UniqueConstraint("source", "client_key"),
)

client_snapshots = Table(
    "client_snapshots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    ts("observed_at", nullable=False),
    Column("payment_verified", Boolean),
    Column("total_spent", Float),
    Column("jobs_posted", Integer),
    Column("jobs_with_hires", Integer),
    Column("hire_rate", Float),
    Column("open_jobs", Integer),
    Column("reviews_count", Integer),
    Column("rating", Float),
    Index(None, "client_id", "observed_at"),
)

postings = Table(
    "postings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(64), nullable=False),
    Column("external_id", Text, nullable=False, comment="The source's id (or canonical URL)"),
    Column("url", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("description_text", Text),
    Column("description_html", Text, comment="Sanitised HTML, safe to display"),
    ts("posted_at", doc="When the source says it was posted"),
    ts("first_seen_at", nullable=False, doc="When jobsift first saw it"),
    ts("last_seen_at", nullable=False, doc="When jobsift last saw it in its feed"),
    ts("gone_at", doc="When it was first missing from a healthy feed; NULL while listed"),
    Column("seen_count", Integer, nullable=False, default=1, comment="Crawls that listed it"),
    Column("budget_kind", String(16), comment="fixed, hourly, salary_year, salary_month"),
    Column("budget_min", Float),
    Column("budget_max", Float),
    Column("budget_currency", String(8)),
    Column("budget_min_usd", Float),
    Column("budget_max_usd", Float),
    Column("budget_provenance", String(16), comment="field, parsed_from_text, none"),
    Column("budget_raw", Text, comment="The budget text as the source wrote it"),
    Column("category", Text),
    Column("skills", JSON, comment="List of skill names"),
    Column("country", Text),
    Column("experience_level", String(32)),
    Column("company", Text),
    Column("job_type", String(64)),
    Column("location", Text),
    Column("remote", Boolean),
    Column("proposals", Integer),
    Column("interviewing", Integer),
    Column("invites_sent", Integer),
    Column("unanswered_invites", Integer),
    Column("hires", Integer),
    ts("last_client_activity_at"),
    Column("client_id", Integer, ForeignKey("clients.id", ondelete="SET NULL")),
    Column("content_hash", String(40), nullable=False, comment="Hash of the facts; a change rescores"),
    Column("fingerprint", String(16), comment="64-bit SimHash of the text (hex), for reposts"),
    Column("raw", JSON, comment="The source item as received (pruned after retention)"),
    Column("needs_scoring", Boolean, nullable=False, default=True),
    Column("score_error", Text, comment="Why the last scoring attempt failed"),
    ts("updated_at", nullable=False),
    # What "newest" sorts on, as a generated column so an index can serve the listing (migration 0003).
    Column("listed_at", UTCDateTime(), Computed("coalesce(posted_at, first_seen_at)")),
    UniqueConstraint("source", "external_id"),
    Index(None, "first_seen_at"),
    Index(None, "posted_at"),
    Index(None, "client_id"),
    Index(None, "needs_scoring"),
    Index(None, "fingerprint"),
    Index(None, "listed_at", "id"),
)

sightings = Table(
    "sightings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("posting_id", Integer, ForeignKey("postings.id", ondelete="CASCADE"), nullable=False),
    ts("first_seen_at", nullable=False),
    ts("last_seen_at", nullable=False),
    ts("gone_at", doc="NULL while this stretch of listing is open"),
    Column("count", Integer, nullable=False, default=1, comment="Crawls in this stretch"),
    Index(None, "posting_id", "first_seen_at"),
)

scores = Table(
    "scores",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("posting_id", Integer, ForeignKey("postings.id", ondelete="CASCADE"), nullable=False),
    ts("scored_at", nullable=False),
    Column("is_latest", Boolean, nullable=False, default=True),
    Column("model_version", String(64), nullable=False),
    Column("quality", Float, nullable=False, comment="0-100"),
    Column("flags", JSON, nullable=False, comment="List of flag codes"),
    Column("flags_text", Text, nullable=False, default="", comment="Flags as ',a,b,' for LIKE"),
    Column("ghost_probability", Float),
    Column("ghost_basis", JSON, comment="How the ghost figure may be worded: calibrated or not, level, outcomes"),
    Column("payment_status", String(16), comment="verified, unverified, unknown"),
    Column("lowball_ratio", Float, comment="Budget / market median"),
    Column("lowball_percentile", Float, comment="Budget's percentile in its market"),
    Column("reasons", JSON, nullable=False),
    Column("features", JSON, nullable=False, comment="Inputs; explain reproduces the score"),
    Index(None, "posting_id", "is_latest"),
    Index(None, "is_latest", "quality"),
    # One latest score per posting, whatever the writers (R39; migration 0004): partial, see below.
    Index("uq_scores_one_latest", "posting_id", unique=True),
)


@event.listens_for(scores, "before_create")
def _one_latest_is_partial(_table: Table, connection: Connection, **_kw: Any) -> None:
    """``uq_scores_one_latest`` covers only the latest rows: ``WHERE is_latest`` on both backends.

    The WHERE is a dialect option (``sqlite_where``, ``postgresql_where``), and naming a dialect's
    option makes SQLAlchemy import that dialect to validate it: the PostgreSQL one costs ~60 ms of
    every command's start on a SQLite store. Only the DDL reads the option (Alembic's comparison
    matches the name, columns and uniqueness), so it is set here, for the dialect that creates the
    table, just before its CREATE INDEX.
    """
    index = next(i for i in scores.indexes if i.name == "uq_scores_one_latest")
    index.dialect_kwargs[f"{connection.dialect.name}_where"] = text("is_latest")


labels = Table(
    "labels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("posting_id", Integer, ForeignKey("postings.id", ondelete="CASCADE"), nullable=False),
    Column("label", String(16), nullable=False, comment="ghost, ok, scam, lowball, hired"),
    Column("origin", String(16), nullable=False, default="user", comment="user or observed"),
    Column("note", Text),
    ts("created_at", nullable=False),
    Index(None, "posting_id"),
)


def create_all(conn: Connection) -> None:
    """Create every table and view as the code declares them now (what the migrations build)."""
    with warnings.catch_warnings():
        # PostgreSQL before 18 stores a computed column, as migration 0003 asks for; SQLite keeps it virtual.
        warnings.filterwarnings("ignore", "Computed column .* being created as 'STORED'", SAWarning)
        metadata.create_all(conn)
    create_views(conn)
