"""Source leases: who is crawling which source, until when (the ``sources`` lease columns).

A claim is one short transaction: ``SELECT ... FOR UPDATE SKIP LOCKED`` picks due sources whose
lease is free or expired (PostgreSQL skips rows another worker is claiming at that instant),
then ``lease_owner``/``lease_expires_at`` are set. SQLite has no row locks: jobsift's SQLite
engine begins every write with ``BEGIN IMMEDIATE``, so claims are serialised by the file lock
and the same statement is just as exclusive. Every later write (renew, release) is guarded by
``lease_owner = me``, so a worker that lost its lease (it stalled past the expiry and another
took over) cannot clobber the new owner's state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, Engine, and_, or_, select, text, update

from jobsift.store.runs import dead_here
from jobsift.store.schema import sources

SETUP_LOCK_KEY = 0x6A6F6273  # "jobs": one advisory lock id for start-up housekeeping


def setup_lock(conn: Connection) -> None:
    """Serialise start-up housekeeping of processes starting together (PostgreSQL advisory lock).

    ``store.sources.sync_sources`` inserts missing sources; two workers starting at once would both try
    to insert the same names. The lock is held until the transaction ends.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SETUP_LOCK_KEY})


def due_condition(now: datetime, due_by: datetime | None = None) -> ColumnElement[bool]:
    """Due: never crawled, or ``next_due_at`` at or before ``due_by`` (default ``now``)."""
    return or_(sources.c.next_due_at.is_(None), sources.c.next_due_at <= (due_by or now))


def lease_free(now: datetime) -> ColumnElement[bool]:
    """Free: nobody holds the lease, or it has expired by ``now``."""
    return or_(
        sources.c.lease_owner.is_(None),
        sources.c.lease_expires_at.is_(None),
        sources.c.lease_expires_at <= now,
    )


def claim_due(
    engine: Engine,
    owner: str,
    names: Sequence[str],
    *,
    limit: int,
    lease_seconds: float,
    now: datetime,
    due_by: datetime | None = None,
) -> list[str]:
    """Lease up to ``limit`` due, enabled sources among ``names``; returns the names leased."""
    if not names or limit < 1:
        return []
    query = (
        select(sources.c.id, sources.c.name)
        .where(
            and_(
                sources.c.enabled.is_(True),
                sources.c.name.in_(list(names)),
                due_condition(now, due_by),
                lease_free(now),
            )
        )
        .order_by(sources.c.next_due_at.asc().nulls_first(), sources.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=sources)
    )
    with engine.begin() as conn:
        rows = conn.execute(query).all()
        if rows:
            conn.execute(
                update(sources)
                .where(sources.c.id.in_([r.id for r in rows]))
                .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_seconds))
            )
    return [r.name for r in rows]


def renew(engine: Engine, owner: str, names: Sequence[str], *, lease_seconds: float, now: datetime) -> int:
    """Push our leases on ``names`` forward; returns how many we still held."""
    if not names:
        return 0
    with engine.begin() as conn:
        result = conn.execute(
            update(sources)
            .where(and_(sources.c.name.in_(list(names)), sources.c.lease_owner == owner))
            .values(lease_expires_at=now + timedelta(seconds=lease_seconds))
        )
    return int(result.rowcount or 0)


def release(engine: Engine, owner: str, names: Sequence[str], *, next_due_at: datetime | None = None) -> int:
    """Give our leases on ``names`` back; with ``next_due_at`` also say when they are due again.

    Without it ``next_due_at`` is left as the crawl (or nobody) set it: a source whose crawl was
    interrupted stays due, so the next process to look takes it at once.
    """
    if not names:
        return 0
    values: dict[str, object] = {"lease_owner": None, "lease_expires_at": None}
    if next_due_at is not None:
        values["next_due_at"] = next_due_at
    with engine.begin() as conn:
        result = conn.execute(
            update(sources)
            .where(and_(sources.c.name.in_(list(names)), sources.c.lease_owner == owner))
            .values(**values)
        )
    return int(result.rowcount or 0)


@dataclass(frozen=True, slots=True)
class SourceState:
    """A source's due time and lease, as the scheduler plans with them."""

    name: str
    next_due_at: datetime | None
    lease_owner: str | None
    lease_expires_at: datetime | None

    def available_at(self, now: datetime) -> datetime:
        """The earliest time a claim of this source can succeed."""
        when = self.next_due_at or now
        if self.lease_owner and self.lease_expires_at and self.lease_expires_at > when:
            when = self.lease_expires_at
        return max(when, now)


def states(engine: Engine, names: Sequence[str]) -> dict[str, SourceState]:
    """The due time and lease of each named enabled source."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(sources.c.name, sources.c.next_due_at, sources.c.lease_owner, sources.c.lease_expires_at).where(
                and_(sources.c.name.in_(list(names)), sources.c.enabled.is_(True))
            )
        ).all()
    return {r.name: SourceState(r.name, r.next_due_at, r.lease_owner, r.lease_expires_at) for r in rows}


def earliest_available(engine: Engine, names: Sequence[str], now: datetime) -> datetime | None:
    """The earliest time any of the named sources can be claimed (None: none enabled)."""
    found = [s.available_at(now) for s in states(engine, names).values()]
    return min(found) if found else None


def release_dead_local(conn: Connection) -> list[str]:
    """Free leases held by dead processes of this host at once, instead of waiting for expiry."""
    rows = conn.execute(select(sources.c.name, sources.c.lease_owner).where(sources.c.lease_owner.is_not(None))).all()
    names = [r.name for r in rows if dead_here(r.lease_owner)]
    if names:
        conn.execute(update(sources).where(sources.c.name.in_(names)).values(lease_owner=None, lease_expires_at=None))
    return names


def server_time(conn: Connection) -> datetime:
    """The PostgreSQL server's clock now (``clock_timestamp()``, not the transaction's start)."""
    value: datetime = conn.execute(text("SELECT clock_timestamp()")).scalar_one()
    return value
