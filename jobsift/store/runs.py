"""Runs and fetches: one run row per crawl or import, one fetch row per source and run.

A fetch also moves its source's health and validators (``sources`` last outcome, failures,
ETag/Last-Modified). Every function takes an open ``Connection`` inside the caller's transaction.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from jobsift.redact import reason
from jobsift.store.schema import fetches, runs, sources


def worker_id() -> str:
    """This process as a run's or a lease's owner: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def start_run(conn: Connection, now: datetime, trigger: str = "cli") -> int:
    """Open a run row (status running, owned by this process); returns its id."""
    return int(
        conn.execute(
            insert(runs)
            .values(started_at=now, status="running", trigger=trigger, worker=worker_id(), stats={})
            .returning(runs.c.id)
        ).scalar_one()
    )


def finish_run(conn: Connection, run_id: int, now: datetime, status: str, stats: dict[str, int]) -> None:
    """Close run ``run_id`` with its status and counters."""
    conn.execute(update(runs).where(runs.c.id == run_id).values(finished_at=now, status=status, stats=stats))


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` of this host still exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dead_here(owner: str | None) -> bool:
    """``owner`` (a ``worker_id``, host:pid) is another process of this host that no longer exists."""
    host, _, pid = (owner or "").rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid))


def abort_stale_runs(conn: Connection, now: datetime, *, older_than: datetime | None = None) -> int:
    """Mark runs left 'running' by a dead process (same host) or older than ``older_than``."""
    stale: list[int] = []
    for row in conn.execute(select(runs.c.id, runs.c.worker, runs.c.started_at).where(runs.c.status == "running")):
        too_old = older_than is not None and row.started_at < older_than
        if dead_here(row.worker) or too_old:
            stale.append(row.id)
    if stale:
        conn.execute(update(runs).where(runs.c.id.in_(stale)).values(status="aborted", finished_at=now))
    return len(stale)


def abort_orphaned_runs(conn: Connection, now: datetime, *, lease_seconds: float) -> int:
    """Mark aborted the worker/schedule runs whose process holds no live lease (any host).

    A live worker renews the leases of the sources it is crawling for as long as its run is
    open, so a run older than one lease period whose owner holds nothing is an orphan.
    """
    cutoff = now - timedelta(seconds=lease_seconds)
    open_runs = conn.execute(
        select(runs.c.id, runs.c.worker).where(
            and_(runs.c.status == "running", runs.c.trigger.in_(("worker", "schedule")), runs.c.started_at < cutoff)
        )
    ).all()
    if not open_runs:
        return 0
    holders = set(
        conn.execute(
            select(sources.c.lease_owner).where(
                and_(sources.c.lease_owner.is_not(None), sources.c.lease_expires_at > now)
            )
        ).scalars()
    )
    orphans = [r.id for r in open_runs if r.worker not in holders]
    if orphans:
        conn.execute(update(runs).where(runs.c.id.in_(orphans)).values(status="aborted", finished_at=now))
    return len(orphans)


@dataclass(slots=True)
class FetchRecord:
    """One fetch of a source as ``record_fetch`` stores it."""

    source_id: int
    started_at: datetime
    finished_at: datetime
    outcome: str
    url: str | None = None
    status_code: int | None = None
    reason: str | None = None
    bytes: int | None = None
    items: int | None = None
    new_items: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    next_due_at: datetime | None = None
    stats: dict[str, int] = field(default_factory=dict)


def record_fetch(conn: Connection, run_id: int, rec: FetchRecord) -> None:
    """Store one fetch and move the source's health and validators."""
    conn.execute(
        insert(fetches).values(
            run_id=run_id,
            source_id=rec.source_id,
            started_at=rec.started_at,
            finished_at=rec.finished_at,
            url=rec.url,
            status_code=rec.status_code,
            outcome=rec.outcome,
            reason=reason(rec.reason),
            bytes=rec.bytes,
            items=rec.items,
            new_items=rec.new_items,
            duration_ms=int((rec.finished_at - rec.started_at).total_seconds() * 1000),
            stats=rec.stats,
        )
    )
    values: dict[str, Any] = {"last_fetch_at": rec.finished_at, "last_outcome": rec.outcome}
    if rec.next_due_at is not None:
        values["next_due_at"] = rec.next_due_at
    if rec.outcome in ("ok", "partial", "not_modified"):
        values.update(last_success_at=rec.finished_at, consecutive_failures=0)
        if rec.outcome != "not_modified":
            values["last_items"] = rec.items
        if rec.outcome == "partial":
            values.update(last_error=reason(rec.reason), last_error_at=rec.finished_at)
        if rec.etag is not None or rec.last_modified is not None:
            values.update(etag=rec.etag, last_modified=rec.last_modified)
    else:
        values.update(
            last_error=reason(rec.reason),
            last_error_at=rec.finished_at,
            consecutive_failures=sources.c.consecutive_failures + 1,
        )
    conn.execute(update(sources).where(sources.c.id == rec.source_id).values(**values))


def item_baselines(conn: Connection, source_ids: Sequence[int]) -> dict[int, tuple[int | None, int | None]]:
    """Per source: items of its last healthy (ok) fetch, and of its last parsed fetch whatever the outcome.

    A partial run never becomes the healthy baseline, so 50 → 0 → 10 still reads as a shrink.
    """
    out: dict[int, tuple[int | None, int | None]] = {}
    for start in range(0, len(source_ids), 500):
        ids = list(source_ids[start : start + 500])
        last_ok = (
            select(fetches.c.source_id, func.max(fetches.c.id))
            .where(and_(fetches.c.source_id.in_(ids), fetches.c.outcome == "ok"))
            .group_by(fetches.c.source_id)
        )
        last_any = (
            select(fetches.c.source_id, func.max(fetches.c.id))
            .where(and_(fetches.c.source_id.in_(ids), fetches.c["items"].isnot(None)))
            .group_by(fetches.c.source_id)
        )
        picks = [dict(conn.execute(q).all()) for q in (last_ok, last_any)]
        wanted = [i for p in picks for i in p.values()]
        items = dict(conn.execute(select(fetches.c.id, fetches.c["items"]).where(fetches.c.id.in_(wanted))).all())
        for sid in ids:
            ok_id, any_id = picks[0].get(sid), picks[1].get(sid)
            out[sid] = (items.get(ok_id) if ok_id else None, items.get(any_id) if any_id else None)
    return out
