"""Tables that belong to one feature each: outcomes, the digest and webhook ledgers, daily job
claims and the user's workflow (marks, applications, visits). ``jobsift.store.schema`` gathers them
with the core tables."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from jobsift.store.columns import metadata, ts

#: Outcome values a source can state; ``gone`` (vanished from a listing) is derived, never stored as an event.
OUTCOMES = ("open", "hired", "closed_no_hire", "unknown")
RESOLVED = ("hired", "closed_no_hire")

outcome_events = Table(
    "outcome_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("posting_id", Integer, ForeignKey("postings.id", ondelete="CASCADE"), nullable=False),
    ts("observed_at", nullable=False, doc="When jobsift read it from the source"),
    Column("outcome", String(16), nullable=False, comment="open, hired, closed_no_hire, unknown"),
    Column(
        "source_field", Text, nullable=False, comment="The source field it came from, e.g. clientActivity.totalHired"
    ),
    Column("value", Text, comment="That field's value as the source gave it"),
    Index(None, "posting_id", "observed_at"),
)

posting_outcomes = Table(
    "posting_outcomes",
    metadata,
    Column("posting_id", Integer, ForeignKey("postings.id", ondelete="CASCADE"), primary_key=True),
    Column("outcome", String(16), comment="Latest observed: open, hired, closed_no_hire, unknown; NULL: not yet"),
    Column("source_field", Text, comment="Field of the latest change"),
    Column("value", Text),
    ts("observed_at", doc="When the latest change was observed"),
    ts("resolved_at", doc="When hired or closed_no_hire was first observed; NULL while unresolved"),
    Column("checks", Integer, nullable=False, default=0, comment="Re-observation requests made"),
    ts("last_checked_at"),
    ts("next_check_at", doc="When to ask the source again; NULL: resolved or schedule finished"),
    Column("last_error", Text, comment="Why the last re-observation failed, one line"),
    Index(None, "next_check_at"),
)

digests = Table(
    "digests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("recipient", Text, nullable=False),
    Column("period", String(32), nullable=False, comment="e.g. 2026-11-22 (daily)"),
    ts("created_at", nullable=False),
    ts("sent_at"),
    Column("status", String(16), nullable=False, comment="pending, sent, failed"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text),
    Column("claimed_by", String(128)),
    UniqueConstraint("recipient", "period"),
)

digest_items = Table(
    "digest_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("digest_id", Integer, ForeignKey("digests.id", ondelete="CASCADE"), nullable=False),
    Column("recipient", Text, nullable=False),
    Column("posting_id", Integer, ForeignKey("postings.id", ondelete="CASCADE"), nullable=False),
    UniqueConstraint("recipient", "posting_id"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sink", Text, nullable=False, comment="Webhook URL"),
    Column("posting_id", Integer, ForeignKey("postings.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(16), nullable=False, comment="pending, sent, failed"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text),
    ts("created_at", nullable=False),
    ts("sent_at"),
    UniqueConstraint("sink", "posting_id"),
)

job_claims = Table(
    "job_claims",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("job", String(32), nullable=False, comment="digest, prune"),
    Column("period", String(32), nullable=False, comment="e.g. 2026-11-22 (the local day)"),
    Column("status", String(16), nullable=False, comment="running, done, failed"),
    Column("claimed_by", String(128), nullable=False, comment="host:pid of the process"),
    ts("claimed_at", nullable=False),
    ts("lease_expires_at", nullable=False, doc="Another process may take over after this"),
    ts("finished_at"),
    Column("error", Text),
    UniqueConstraint("job", "period"),
)

job_marks = Table(
    "job_marks",
    metadata,
    Column("posting_id", Integer, ForeignKey("postings.id", ondelete="CASCADE"), primary_key=True),
    Column("saved", Boolean, nullable=False, default=False, server_default=false()),
    Column("hidden", Boolean, nullable=False, default=False, server_default=false()),
    ts("updated_at", nullable=False),
    Index(None, "hidden"),
)

applications = Table(
    "applications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("posting_id", Integer, ForeignKey("postings.id", ondelete="CASCADE"), nullable=False, unique=True),
    ts("applied_at", nullable=False),
    Column("connects", Integer, comment="Connects (or bids) spent; NULL = not said"),
    Column("boosted", Boolean, nullable=False, default=False, server_default=false()),
    Column("quality", Float, comment="jobsift's quality when applied"),
    Column("flags", JSON, comment="Flags when applied"),
    Column("result", String(16), comment="viewed, replied, interviewed, hired, no_reply (the furthest step)"),
    ts("viewed_at"),
    ts("replied_at"),
    ts("interviewed_at"),
    ts("hired_at"),
    ts("no_reply_at"),
    Column("note", Text),
    ts("updated_at", nullable=False),
    Index(None, "applied_at"),
)

visits = Table(
    "visits",
    metadata,
    Column("who", String(32), primary_key=True, comment="web or cli"),
    ts("seen_at", nullable=False, doc="Last page view or listing"),
    ts("since", doc='"New" means first seen after this'),
)
