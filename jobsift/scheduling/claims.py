"""Periodic jobs run by exactly one process per period: a row per (job, period) in ``job_claims``.

The unique key makes the first ``INSERT`` win; the row then works like a source lease: while
``running`` and unexpired it is someone else's; ``done`` is final for the period; ``failed`` or
an expired ``running`` (the process died) may be taken over, so a failed digest is retried.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jobsift.store.schema import job_claims


def claim_job(engine: Engine, job: str, period: str, owner: str, *, now: datetime, lease_seconds: float) -> bool:
    """Try to become the one process running ``job`` for ``period``."""
    expires = now + timedelta(seconds=lease_seconds)
    insert_ = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    with engine.begin() as conn:
        inserted = conn.execute(
            insert_(job_claims)
            .values(
                job=job, period=period, status="running", claimed_by=owner, claimed_at=now, lease_expires_at=expires
            )
            .on_conflict_do_nothing(index_elements=["job", "period"])
            .returning(job_claims.c.id)
        ).first()
        if inserted is not None:
            return True
        row = conn.execute(
            select(job_claims)
            .where(and_(job_claims.c.job == job, job_claims.c.period == period))
            .with_for_update(skip_locked=True)
        ).first()
        if row is None or row.status == "done":
            return False  # locked by a claimer right now, or finished
        if row.lease_expires_at > now:
            return False  # running elsewhere, or failed and not yet due for a retry
        conn.execute(
            update(job_claims)
            .where(job_claims.c.id == row.id)
            .values(status="running", claimed_by=owner, claimed_at=now, lease_expires_at=expires, error=None)
        )
    return True


def finish_job(
    engine: Engine,
    job: str,
    period: str,
    owner: str,
    *,
    now: datetime,
    error: str | None = None,
    retry_after: float = 900.0,
) -> None:
    """Record the outcome; a failure may be retried (by anyone) after ``retry_after`` seconds."""
    values: dict[str, object] = {"finished_at": now, "error": error}
    if error is None:
        values["status"] = "done"
    else:
        values.update(status="failed", lease_expires_at=now + timedelta(seconds=retry_after))
    with engine.begin() as conn:
        conn.execute(
            update(job_claims)
            .where(and_(job_claims.c.job == job, job_claims.c.period == period, job_claims.c.claimed_by == owner))
            .values(**values)
        )


def is_done(engine: Engine, job: str, period: str) -> bool:
    with engine.connect() as conn:
        status = conn.execute(
            select(job_claims.c.status).where(and_(job_claims.c.job == job, job_claims.c.period == period))
        ).scalar()
    return status == "done"
