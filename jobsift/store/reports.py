"""Reads behind ``jobsift report``: the period's postings with their latest score, the clients with the
strongest ghost signals, each source's worst unattributed posting, and the resolved outcomes' first scores."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select

from jobsift.store.budget_figure import budget_figure_sql
from jobsift.store.schema import clients, posting_outcomes, postings, scores

_LATEST = and_(scores.c.posting_id == postings.c.id, scores.c.is_latest)


def period_postings(conn: Connection, since: datetime) -> list[dict[str, Any]]:
    """Postings first seen since ``since``: source, first seen, category, budget kind and figure
    (``budget_usd``, the one budget figure), client id, and the latest score's quality, flags,
    ghost probability and lowball ratio (``None`` when not scored)."""
    rows = conn.execute(
        select(
            postings.c.source,
            postings.c.first_seen_at,
            postings.c.category,
            postings.c.budget_kind,
            budget_figure_sql().label("budget_usd"),
            postings.c.client_id,
            scores.c.quality,
            scores.c.flags,
            scores.c.ghost_probability,
            scores.c.lowball_ratio,
        )
        .select_from(postings.outerjoin(scores, _LATEST))
        .where(postings.c.first_seen_at >= since)
    )
    return [dict(r._mapping) for r in rows]


def ghost_clients(conn: Connection, since: datetime, limit: int = 15) -> list[dict[str, Any]]:
    """The clients whose postings since ``since`` have the highest mean ghost figure (``ghost``)."""
    group = (
        clients.c.id,
        clients.c.client_key,
        clients.c.name,
        clients.c.source,
        clients.c.jobs_posted,
        clients.c.jobs_with_hires,
        clients.c.hire_rate,
        clients.c.payment_verified,
    )
    rows = conn.execute(
        select(*group, func.count().label("postings"), func.avg(scores.c.ghost_probability).label("ghost"))
        .select_from(postings.join(clients, clients.c.id == postings.c.client_id).join(scores, _LATEST))
        .where(and_(postings.c.first_seen_at >= since, scores.c.ghost_probability.is_not(None)))
        .group_by(*group)
        .order_by(func.avg(scores.c.ghost_probability).desc(), func.count().desc())
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows]


def worst_unattributed(conn: Connection, since: datetime) -> list[dict[str, Any]]:
    """Each source's posting with no client data and the highest ghost figure since ``since``.

    Such postings never reach :func:`ghost_clients`; this keeps a source without client data in the
    report's ghost section.
    """
    worst = (
        select(
            postings.c.id,
            postings.c.source,
            postings.c.title,
            postings.c.url,
            scores.c.ghost_probability.label("ghost"),
            func.row_number()
            .over(partition_by=postings.c.source, order_by=(scores.c.ghost_probability.desc(), postings.c.id))
            .label("rank"),
        )
        .select_from(postings.join(scores, _LATEST))
        .where(
            and_(
                postings.c.first_seen_at >= since,
                postings.c.client_id.is_(None),
                scores.c.ghost_probability.is_not(None),
            )
        )
        .subquery()
    )
    rows = conn.execute(
        select(worst.c.id, worst.c.source, worst.c.title, worst.c.url, worst.c.ghost)
        .where(worst.c.rank == 1)
        .order_by(worst.c.ghost.desc(), worst.c.source)
    )
    return [dict(r._mapping) for r in rows]


def resolved_first_scores(conn: Connection) -> list[tuple[str, float]]:
    """(outcome, ghost probability of the first score) for every resolved posting: what was shown
    before its outcome was known (the report's calibration plot)."""
    first = select(func.min(scores.c.id).label("id")).group_by(scores.c.posting_id).subquery()
    rows = conn.execute(
        select(posting_outcomes.c.outcome, scores.c.ghost_probability)
        .join(scores, scores.c.posting_id == posting_outcomes.c.posting_id)
        .join(first, first.c.id == scores.c.id)
        .where(posting_outcomes.c.resolved_at.is_not(None), scores.c.ghost_probability.is_not(None))
    ).all()
    return [(str(o), float(p)) for o, p in rows]
