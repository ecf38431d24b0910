"""Postings and their sightings: idempotent upserts of a source's batch, gone and seen-again marks.

Every function takes an open ``Connection`` inside the caller's transaction, so a source's batch
(postings, clients, sightings, fetch row, source state) commits or rolls back as one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, select, update

from jobsift.fingerprint import fingerprint
from jobsift.model import Posting
from jobsift.store.clients import CHUNK, upsert_clients
from jobsift.store.readable import readable_posting
from jobsift.store.records import BUDGET_FIELDS, COMPETITION_FIELDS
from jobsift.store.schema import postings, sightings


@dataclass(slots=True)
class UpsertStats:
    """What one batch did to the postings table."""

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
        **{f"budget_{k}": getattr(b, k) if b else None for k in BUDGET_FIELDS},
        "category": p.category,
        "skills": list(p.skills),
        "country": p.country,
        "experience_level": p.experience_level,
        "company": p.company,
        "job_type": p.job_type,
        "location": p.location,
        "remote": p.remote,
        **{k: getattr(c, k) if c else None for k in COMPETITION_FIELDS},
    }


def content_hash(row: dict[str, Any]) -> str:
    """The hash of a posting's stored facts: a change marks it for rescoring."""
    return hashlib.sha1(json.dumps(row, sort_keys=True, default=str).encode(), usedforsecurity=False).hexdigest()


def _valid(p: Posting) -> bool:
    """A posting the store can hold: an id, a URL and a title."""
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
    """Upsert up to ``CHUNK`` postings of one source with one SELECT for the known ones."""
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


def touch_listed(conn: Connection, source: str, now: datetime) -> None:
    """A 304 means "same as before": every posting of ``source`` still listed was seen again now."""
    listed = select(postings.c.id).where(and_(postings.c.source == source, postings.c.gone_at.is_(None)))
    conn.execute(
        update(postings).where(and_(postings.c.source == source, postings.c.gone_at.is_(None))).values(last_seen_at=now)
    )
    conn.execute(
        update(sightings)
        .where(and_(sightings.c.posting_id.in_(listed), sightings.c.gone_at.is_(None)))
        .values(last_seen_at=now)
    )


def count_needs_scoring(engine: Engine) -> int:
    """How many postings wait for (re)scoring (after an upgrade that changed the scoring, all of them)."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(postings).where(postings.c.needs_scoring.is_(True))
            ).scalar_one()
        )
