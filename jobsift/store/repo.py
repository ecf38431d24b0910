"""Writes to the store: sources, runs, fetch outcomes, idempotent posting and client upserts.

Every function takes an open ``Connection`` inside the caller's transaction, so a source's batch
(postings, clients, sightings, fetch row, source state) commits or rolls back as one.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update

from jobsift.config import SourceConfig
from jobsift.fingerprint import fingerprint
from jobsift.model import Client, Posting
from jobsift.redact import reason
from jobsift.store.readable import readable_posting
from jobsift.store.schema import (
    client_snapshots,
    clients,
    fetches,
    postings,
    runs,
    sightings,
    sources,
)

CHUNK = 500
CLIENT_STATS = (
    "payment_verified",
    "total_spent",
    "jobs_posted",
    "jobs_with_hires",
    "hire_rate",
    "open_jobs",
    "reviews_count",
    "rating",
)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(slots=True)
class UpsertStats:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    reappeared: int = 0
    refused: int = 0
    duplicates_in_batch: int = 0
    new_ids: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


# --- sources and runs ------------------------------------------------------------------------


def sync_sources(conn: Connection, configured: Sequence[SourceConfig]) -> dict[str, int]:
    """Make the sources table match the config (new rows, changed URL/format); names → ids."""
    existing = {r.name: r for r in conn.execute(select(sources))}
    for src in configured:
        row = existing.get(src.name)
        if row is None:
            conn.execute(
                insert(sources).values(
                    name=src.name,
                    format=src.format,
                    url=src.url,
                    enabled=src.enabled,
                    consecutive_failures=0,
                )
            )
        elif (row.format, row.url, row.enabled) != (src.format, src.url, src.enabled):
            values: dict[str, Any] = {"format": src.format, "url": src.url, "enabled": src.enabled}
            if row.url != src.url:  # validators belong to the old URL
                values.update(etag=None, last_modified=None)
            conn.execute(update(sources).where(sources.c.id == row.id).values(**values))
    return {r.name: r.id for r in conn.execute(select(sources.c.name, sources.c.id))}


def ensure_source(conn: Connection, name: str, fmt: str, url: str) -> int:
    """The id of source ``name``, creating it (for imports of sources not in the config)."""
    sid = conn.execute(select(sources.c.id).where(sources.c.name == name)).scalar()
    if sid is not None:
        return int(sid)
    return int(
        conn.execute(
            insert(sources)
            .values(name=name, format=fmt, url=url, enabled=False, consecutive_failures=0)
            .returning(sources.c.id)
        ).scalar_one()
    )


def start_run(conn: Connection, now: datetime, trigger: str = "cli") -> int:
    return int(
        conn.execute(
            insert(runs)
            .values(started_at=now, status="running", trigger=trigger, worker=worker_id(), stats={})
            .returning(runs.c.id)
        ).scalar_one()
    )


def finish_run(conn: Connection, run_id: int, now: datetime, status: str, stats: dict[str, int]) -> None:
    conn.execute(update(runs).where(runs.c.id == run_id).values(finished_at=now, status=status, stats=stats))


def _pid_alive(pid: int) -> bool:
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


@dataclass(slots=True)
class FetchRecord:
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


# --- clients ---------------------------------------------------------------------------------


def client_key(client: Client, posting: Posting) -> str:
    if client.key:
        return client.key
    if client.name:
        return "name:" + client.name.strip().lower()
    return "posting:" + posting.external_id


def _stats_hash(client: Client) -> str:
    data = [getattr(client, k) for k in CLIENT_STATS]
    return hashlib.sha1(json.dumps(data, default=str).encode(), usedforsecurity=False).hexdigest()


def upsert_client(conn: Connection, source: str, posting: Posting, now: datetime) -> int | None:
    """Insert or refresh the posting's client; a change in stats adds a snapshot and rescores."""
    return upsert_clients(conn, source, [posting], now)[0]


def upsert_clients(conn: Connection, source: str, items: Sequence[Posting], now: datetime) -> list[int | None]:
    """The client id of each posting (None without a client), refreshing clients whose stats changed.

    One SELECT finds the known clients of the whole batch; only new clients and changed stats
    write (an insert, or an update + a snapshot + their postings marked for rescoring).
    """
    wanted: dict[str, Client] = {}
    keys: list[str | None] = []
    for p in items:
        if p.client is None or p.client.is_empty:
            keys.append(None)
            continue
        key = client_key(p.client, p)
        keys.append(key)
        wanted.setdefault(key, p.client)
    known: dict[str, tuple[int, str | None]] = {}
    names = list(wanted)
    for start in range(0, len(names), CHUNK):
        rows = conn.execute(
            select(clients.c.client_key, clients.c.id, clients.c.stats_hash).where(
                and_(clients.c.source == source, clients.c.client_key.in_(names[start : start + CHUNK]))
            )
        )
        known.update({r.client_key: (int(r.id), r.stats_hash) for r in rows})
    out: list[int | None] = []
    for p, maybe_key in zip(items, keys, strict=True):
        if maybe_key is None or p.client is None:
            out.append(None)
            continue
        digest = _stats_hash(p.client)
        row = known.get(maybe_key)
        if row is None or row[1] != digest:
            cid = _write_client(conn, source, maybe_key, p.client, digest, None if row is None else row[0], now)
            row = known[maybe_key] = (cid, digest)
        out.append(row[0])
    return out


def _write_client(
    conn: Connection, source: str, key: str, client: Client, digest: str, cid: int | None, now: datetime
) -> int:
    """Insert a new client or refresh a known one whose stats changed; snapshot the stats."""
    fields_ = {
        "name": client.name,
        "member_since": client.member_since,
        "country": client.country,
        **{k: getattr(client, k) for k in CLIENT_STATS},
    }
    if cid is None:
        cid = int(
            conn.execute(
                insert(clients)
                .values(source=source, client_key=key, first_seen_at=now, updated_at=now, stats_hash=digest, **fields_)
                .returning(clients.c.id)
            ).scalar_one()
        )
    else:
        # Keep what we knew when the source now omits a field: unknown never erases known.
        fields_ = {k: v for k, v in fields_.items() if v is not None}
        conn.execute(update(clients).where(clients.c.id == cid).values(updated_at=now, stats_hash=digest, **fields_))
        conn.execute(update(postings).where(postings.c.client_id == cid).values(needs_scoring=True))
    conn.execute(
        insert(client_snapshots).values(client_id=cid, observed_at=now, **{k: getattr(client, k) for k in CLIENT_STATS})
    )
    return cid


# --- postings --------------------------------------------------------------------------------


def posting_row(p: Posting) -> dict[str, Any]:
    """The posting's stored facts (no seen times, no ids)."""
    b = p.budget
    c = p.competition
    return {
        "url": p.url,
        "title": p.title,
        "description_text": p.description_text,
        "description_html": p.description_html,
        "posted_at": p.posted_at,
        "budget_kind": b.kind if b else None,
        "budget_min": b.min if b else None,
        "budget_max": b.max if b else None,
        "budget_currency": b.currency if b else None,
        "budget_min_usd": b.min_usd if b else None,
        "budget_max_usd": b.max_usd if b else None,
        "budget_provenance": b.provenance if b else None,
        "budget_raw": b.raw if b else None,
        "category": p.category,
        "skills": list(p.skills),
        "country": p.country,
        "experience_level": p.experience_level,
        "company": p.company,
        "job_type": p.job_type,
        "location": p.location,
        "remote": p.remote,
        "proposals": c.proposals if c else None,
        "interviewing": c.interviewing if c else None,
        "invites_sent": c.invites_sent if c else None,
        "unanswered_invites": c.unanswered_invites if c else None,
        "hires": c.hires if c else None,
        "last_client_activity_at": c.last_client_activity_at if c else None,
    }


def content_hash(row: dict[str, Any]) -> str:
    return hashlib.sha1(json.dumps(row, sort_keys=True, default=str).encode(), usedforsecurity=False).hexdigest()


def _valid(p: Posting) -> bool:
    return bool(p.external_id and p.external_id.strip() and p.url and p.title and p.title.strip())


def upsert_postings(conn: Connection, source: str, items: Iterable[Posting], now: datetime) -> UpsertStats:
    """Insert new postings, refresh known ones; idempotent on ``(source, external_id)``.

    Keeps ``first_seen_at``, moves ``last_seen_at``, counts the sighting, reopens a posting
    that had gone (a reappearance gets a new ``sightings`` row), and marks changed facts for
    rescoring.
    """
    stats = UpsertStats()
    batch: dict[str, Posting] = {}
    for item in items:
        p = readable_posting(item, now)  # a value the store cannot hold is unknown, not a failed batch
        if not _valid(p):
            stats.refused += 1
            continue
        if p.external_id in batch:
            stats.duplicates_in_batch += 1
            continue
        batch[p.external_id] = p
    keys = list(batch)
    for start in range(0, len(keys), CHUNK):
        _upsert_chunk(conn, source, [batch[k] for k in keys[start : start + CHUNK]], now, stats)
    return stats


def _upsert_chunk(conn: Connection, source: str, chunk: list[Posting], now: datetime, stats: UpsertStats) -> None:
    ids = [p.external_id for p in chunk]
    existing = {
        r.external_id: r
        for r in conn.execute(
            select(
                postings.c.id,
                postings.c.external_id,
                postings.c.content_hash,
                postings.c.gone_at,
                postings.c.client_id,
            ).where(and_(postings.c.source == source, postings.c.external_id.in_(ids)))
        )
    }
    new_rows: list[dict[str, Any]] = []
    seen_ids: list[int] = []
    reopened: list[int] = []
    for p, client_id in zip(chunk, upsert_clients(conn, source, chunk, now), strict=True):
        facts = posting_row(p)
        digest = content_hash({**facts, "client_id": client_id})
        old = existing.get(p.external_id)
        if old is None:
            new_rows.append(
                {
                    **facts,
                    "source": source,
                    "external_id": p.external_id,
                    "first_seen_at": now,
                    "last_seen_at": now,
                    "seen_count": 1,
                    "client_id": client_id,
                    "content_hash": digest,
                    "fingerprint": fingerprint(p.title, p.description_text),
                    "raw": dict(p.raw) if p.raw is not None else None,
                    "needs_scoring": True,
                    "updated_at": now,
                }
            )
            continue
        seen_ids.append(old.id)
        if old.gone_at is not None:
            reopened.append(old.id)
        if old.content_hash != digest:
            stats.updated += 1
            conn.execute(
                update(postings)
                .where(postings.c.id == old.id)
                .values(
                    **facts,
                    client_id=client_id if client_id is not None else old.client_id,
                    content_hash=digest,
                    fingerprint=fingerprint(p.title, p.description_text),
                    raw=dict(p.raw) if p.raw is not None else None,
                    needs_scoring=True,
                    updated_at=now,
                )
            )
        else:
            stats.unchanged += 1
    if seen_ids:
        conn.execute(
            update(postings)
            .where(postings.c.id.in_(seen_ids))
            .values(last_seen_at=now, gone_at=None, seen_count=postings.c.seen_count + 1)
        )
        reopened_set = set(reopened)
        open_ids = [i for i in seen_ids if i not in reopened_set]
        if open_ids:
            conn.execute(
                update(sightings)
                .where(and_(sightings.c.posting_id.in_(open_ids), sightings.c.gone_at.is_(None)))
                .values(last_seen_at=now, count=sightings.c.count + 1)
            )
    if reopened:
        stats.reappeared += len(reopened)
        conn.execute(
            insert(sightings),
            [{"posting_id": i, "first_seen_at": now, "last_seen_at": now, "count": 1} for i in reopened],
        )
    if new_rows:
        result = conn.execute(insert(postings).returning(postings.c.id), new_rows)
        new_ids = [int(r[0]) for r in result]
        stats.new += len(new_ids)
        stats.new_ids.extend(new_ids)
        conn.execute(
            insert(sightings),
            [{"posting_id": i, "first_seen_at": now, "last_seen_at": now, "count": 1} for i in new_ids],
        )


def mark_gone(conn: Connection, source: str, listed: Iterable[str], now: datetime) -> int:
    """Postings of ``source`` missing from a healthy full listing are marked gone (not deleted)."""
    listed_set = set(listed)
    open_rows = conn.execute(
        select(postings.c.id, postings.c.external_id).where(
            and_(postings.c.source == source, postings.c.gone_at.is_(None))
        )
    ).all()
    gone = [r.id for r in open_rows if r.external_id not in listed_set]
    for start in range(0, len(gone), CHUNK):
        part = gone[start : start + CHUNK]
        conn.execute(update(postings).where(postings.c.id.in_(part)).values(gone_at=now))
        conn.execute(
            update(sightings)
            .where(and_(sightings.c.posting_id.in_(part), sightings.c.gone_at.is_(None)))
            .values(gone_at=now)
        )
    return len(gone)


def count_needs_scoring(engine: Any) -> int:
    """How many postings wait for (re)scoring (after an upgrade that changed the scoring, all of them)."""
    from sqlalchemy import func

    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(postings).where(postings.c.needs_scoring.is_(True))
            ).scalar_one()
        )
