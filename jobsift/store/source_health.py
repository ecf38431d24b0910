"""Reads: how each source is doing (``sources list``, the report, the digest) and the names the page offers."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from jobsift.store.schema import fetches, postings, sources

#: The scheduler's lease columns: bookkeeping, not health.
LEASE_COLUMNS = ("lease_owner", "lease_expires_at")
FAILING = ("failed", "blocked", "deferred")


def source_rows(conn: Connection) -> list[dict[str, Any]]:
    """Every source's stored row, by name (the report's health table)."""
    return [dict(r._mapping) for r in conn.execute(select(sources).order_by(sources.c.name))]


def source_health(conn: Connection) -> list[dict[str, Any]]:
    """Every source's health by name with its stored postings counted (``postings``), leases left out."""
    counts: dict[str, int] = {
        name: int(n)
        for name, n in conn.execute(select(postings.c.source, func.count()).group_by(postings.c.source)).all()
    }
    rows = []
    for r in source_rows(conn):
        for column in LEASE_COLUMNS:
            r.pop(column, None)
        r["postings"] = counts.get(r["name"], 0)
        rows.append(r)
    return rows


def failing_sources(conn: Connection) -> list[dict[str, Any]]:
    """Sources whose last fetch failed, was blocked or deferred, worst first."""
    rows = conn.execute(
        select(
            sources.c.name,
            sources.c.last_outcome,
            sources.c.last_error,
            sources.c.consecutive_failures,
            sources.c.last_success_at,
        )
        .where(sources.c.last_outcome.in_(FAILING))
        .order_by(sources.c.consecutive_failures.desc(), sources.c.name)
    )
    return [dict(r._mapping) for r in rows]


def fetch_outcomes(conn: Connection, since: datetime) -> dict[str, Counter[str]]:
    """Fetches since ``since`` per source name and outcome (``unknown`` when none was recorded)."""
    out: dict[str, Counter[str]] = {}
    rows = conn.execute(
        select(sources.c.name, fetches.c.outcome, func.count())
        .select_from(fetches.join(sources, sources.c.id == fetches.c.source_id))
        .where(fetches.c.started_at >= since)
        .group_by(sources.c.name, fetches.c.outcome)
    )
    for name, outcome, n in rows:
        out.setdefault(name, Counter())[outcome or "unknown"] += int(n)
    return out


def source_names(conn: Connection, fallback_limit: int = 200) -> list[str]:
    """The configured sources' names; for a store filled by import only, the postings' sources."""
    names = set(conn.execute(select(sources.c.name)).scalars())
    if not names:
        names = set(conn.execute(select(postings.c.source).distinct().limit(fallback_limit)).scalars())
    return sorted(names)
