"""Reads: the filtered job listing every output shares (CLI, web, feeds, digest, export)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, Text, and_, cast, func, not_, or_, select

from jobsift.store.budget_figure import budget_figure_sql
from jobsift.store.outcomes import outcome_column
from jobsift.store.records import Job, JobDetail
from jobsift.store.schema import clients, job_marks, posting_outcomes, postings, scores


@dataclass(frozen=True)
class JobFilter:
    """What a person asks to see. Every value is bound as a parameter, never formatted in."""

    since: datetime | None = None
    sources: Sequence[str] = ()
    min_quality: float | None = None
    exclude_flags: Sequence[str] = ()
    require_flags: Sequence[str] = ()
    keywords: Sequence[str] = ()
    exclude_keywords: Sequence[str] = ()
    skills: Sequence[str] = ()
    countries: Sequence[str] = ()
    min_budget_usd: float | None = None
    include_gone: bool = True
    include_hidden: bool = False  # jobs the user hid stay hidden in every listing unless asked for
    new_since: datetime | None = None  # first seen after this ("new since your last visit")
    saved_only: bool = False
    blocked_clients: Sequence[str] = ()  # client or company names never shown ([filters] blocked_clients)
    ids: Sequence[int] = ()
    limit: int | None = 100
    offset: int = 0
    order: str = "newest"  # newest | quality
    outcomes: Sequence[str] = ()  # open, hired, closed_no_hire, unknown, gone (as shown)


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def jobs_select(f: JobFilter) -> Select[Any]:
    """The SELECT behind every listing (postings ⟕ latest score ⟕ client)."""
    s = scores.alias("s")
    c = clients.alias("c")
    q = select(
        postings,
        s.c.quality,
        s.c.flags,
        s.c.ghost_probability,
        s.c.payment_status,
        s.c.lowball_ratio,
        s.c.lowball_percentile,
        s.c.reasons,
        s.c.model_version,
        s.c.ghost_basis,
        s.c.scored_at,
        c.c.name.label("client_name"),
        c.c.payment_verified.label("client_payment_verified"),
        c.c.total_spent.label("client_total_spent"),
        c.c.jobs_posted.label("client_jobs_posted"),
        c.c.jobs_with_hires.label("client_jobs_with_hires"),
        c.c.hire_rate.label("client_hire_rate"),
        c.c.open_jobs.label("client_open_jobs"),
        c.c.reviews_count.label("client_reviews_count"),
        c.c.rating.label("client_rating"),
        c.c.member_since.label("client_member_since"),
        c.c.country.label("client_country"),
        outcome_column().label("outcome"),
        posting_outcomes.c.observed_at.label("outcome_observed_at"),
        posting_outcomes.c.source_field.label("outcome_source_field"),
    ).select_from(
        postings.outerjoin(s, and_(s.c.posting_id == postings.c.id, s.c.is_latest))
        .outerjoin(c, c.c.id == postings.c.client_id)
        .outerjoin(posting_outcomes, posting_outcomes.c.posting_id == postings.c.id)
    )
    conds: list[Any] = []
    if f.since is not None:
        conds.append(postings.c.first_seen_at >= f.since)
    if f.sources:
        conds.append(postings.c.source.in_(list(f.sources)))
    if f.ids:
        conds.append(postings.c.id.in_(list(f.ids)))
    if f.min_quality is not None:
        conds.append(s.c.quality >= f.min_quality)
    for flag in f.exclude_flags:
        conds.append(or_(s.c.flags_text.is_(None), not_(s.c.flags_text.like(_like("," + flag + ","), escape="\\"))))
    for flag in f.require_flags:
        conds.append(s.c.flags_text.like(_like("," + flag + ","), escape="\\"))
    text = func.lower(postings.c.title + " " + func.coalesce(postings.c.description_text, ""))
    if f.keywords:
        conds.append(or_(*(text.like(_like(k), escape="\\") for k in f.keywords)))
    for k in f.exclude_keywords:
        conds.append(not_(text.like(_like(k), escape="\\")))
    if f.skills:
        skills_text = func.lower(func.coalesce(cast(postings.c.skills, Text), ""))
        conds.append(or_(*(skills_text.like(_like(k), escape="\\") for k in f.skills)))
    if f.countries:
        wanted = [x.lower() for x in f.countries]
        conds.append(or_(func.lower(postings.c.country).in_(wanted), func.lower(c.c.country).in_(wanted)))
    if f.min_budget_usd is not None:
        conds.append(budget_figure_sql() >= f.min_budget_usd)
    if f.outcomes:
        conds.append(outcome_column().in_(list(f.outcomes)))
    if not f.include_gone:
        conds.append(postings.c.gone_at.is_(None))
    if not f.include_hidden:
        hidden = select(job_marks.c.posting_id).where(and_(job_marks.c.posting_id == postings.c.id, job_marks.c.hidden))
        conds.append(not_(hidden.exists()))
    if f.saved_only:
        saved = select(job_marks.c.posting_id).where(and_(job_marks.c.posting_id == postings.c.id, job_marks.c.saved))
        conds.append(saved.exists())
    if f.new_since is not None:
        conds.append(postings.c.first_seen_at > f.new_since)
    blocked = sorted({b.strip().lower() for b in f.blocked_clients if b.strip()})
    if blocked:
        conds.append(func.lower(func.coalesce(c.c.name, "")).not_in(blocked))
        conds.append(func.lower(func.coalesce(postings.c.company, "")).not_in(blocked))
    if conds:
        q = q.where(and_(*conds))
    if f.order == "quality":
        q = q.order_by(s.c.quality.desc().nulls_last(), postings.c.first_seen_at.desc(), postings.c.id.desc())
    else:
        # listed_at = coalesce(posted_at, first_seen_at), a generated column with an index.
        q = q.order_by(postings.c.listed_at.desc(), postings.c.id.desc())
    if f.limit is not None:
        q = q.limit(f.limit)
    if f.offset:
        q = q.offset(f.offset)
    return q


RESOLVED = ("hired", "closed_no_hire")


def count_resolved_outcomes(conn: Connection) -> int:
    """How many postings have a resolved outcome (hired or closed with no hire); 0 without an outcomes table.

    Read defensively: the outcomes table (issue 11) may not be part of this schema yet, and its
    column naming the outcome is looked for by name.
    """
    from jobsift.store.schema import metadata

    table = metadata.tables.get("outcomes")
    if table is None:
        return 0
    column = next((table.c[n] for n in ("outcome", "status", "value") if n in table.c), None)
    if column is None:
        return 0
    counted = func.count(func.distinct(table.c.posting_id)) if "posting_id" in table.c else func.count()
    return int(conn.execute(select(counted).where(column.in_(RESOLVED))).scalar_one())


def list_jobs(conn: Connection, f: JobFilter) -> list[Job]:
    """The jobs ``f`` selects, as read records (``Job.to_json()`` is the documented JSON object)."""
    return [Job.from_row(r) for r in conn.execute(jobs_select(f))]


def get_job(conn: Connection, job_id: int) -> Job | None:
    rows = list_jobs(conn, JobFilter(ids=[job_id], limit=1, include_hidden=True))
    return rows[0] if rows else None


def job_detail(conn: Connection, job_id: int) -> JobDetail:
    """The posting's sanitised description HTML and its latest score's features and time."""
    html = conn.execute(select(postings.c.description_html).where(postings.c.id == job_id)).scalar()
    latest = conn.execute(
        select(scores.c.features, scores.c.scored_at)
        .where(and_(scores.c.posting_id == job_id, scores.c.is_latest))
        .order_by(scores.c.id.desc())
        .limit(1)
    ).first()
    return JobDetail(
        description_html=html,
        features=latest.features if latest else None,
        scored_at=latest.scored_at if latest else None,
    )


def outcome_state(conn: Connection, job_id: int) -> Any:
    """The posting's outcome as shown, its re-observation count and next check (``None``: no such posting)."""
    return conn.execute(
        select(
            postings.c.id,
            outcome_column().label("outcome"),
            posting_outcomes.c.checks,
            posting_outcomes.c.next_check_at,
        )
        .select_from(postings.outerjoin(posting_outcomes, posting_outcomes.c.posting_id == postings.c.id))
        .where(postings.c.id == job_id)
    ).first()
