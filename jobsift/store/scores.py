"""Score rows: exactly one latest score per posting, and it is the newest (R39).

Several writers may score at once (``crawl`` + ``crawl``, ``crawl`` + ``score``, workers). Each batch
is written by ``write_scores`` in one transaction that first locks the batch's postings (in id
order, so two batches cannot deadlock; SQLite serialises writers with ``BEGIN IMMEDIATE``), then
re-reads what it needs to decide, per posting, whether its score is still the one to keep:

- the posting's facts or its client's stats changed since the features were read: not written
  (the posting stays pending; the next run scores what is stored now);
- another writer has scored it since (``needs_scoring`` is false, unless this is a full rescore):
  not written, so a posting is not scored twice;
- a score newer than this run's time exists: not written, so the latest row is never an older time.

Otherwise the previous latest row is retired and the new one inserted as latest. A partial unique
index (``uq_scores_one_latest``, migration 0004) makes two latest rows for one posting impossible.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from jobsift.store.schema import clients, postings, scores
from jobsift.store.scoring_records import StoredScore

#: What the features were computed from: (posting content hash, client stats hash).
ReadKey = tuple[str | None, str | None]


def read_keys(conn: Connection, ids: list[int]) -> dict[int, ReadKey]:
    """The current ``ReadKey`` of each posting."""
    q = (
        select(postings.c.id, postings.c.content_hash, clients.c.stats_hash)
        .select_from(postings.outerjoin(clients, clients.c.id == postings.c.client_id))
        .where(postings.c.id.in_(ids))
    )
    return {int(r[0]): (r[1], r[2]) for r in conn.execute(q)}


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def write_scores(
    conn: Connection,
    rows: Mapping[int, dict[str, Any]],
    errors: Mapping[int, str],
    now: datetime,
    *,
    read: Mapping[int, ReadKey],
    rescore_all: bool = False,
) -> set[int]:
    """Write the batch's score rows and errors that are still current; returns the ids skipped."""
    locked = sorted({*rows, *errors})
    if not locked:
        return set()
    pending = {
        int(r.id): bool(r.needs_scoring)
        for r in conn.execute(
            select(postings.c.id, postings.c.needs_scoring)
            .where(postings.c.id.in_(locked))
            .order_by(postings.c.id)
            .with_for_update()
        )
    }
    current = read_keys(conn, locked)
    newest = {
        int(pid): _aware(at)
        for pid, at in conn.execute(
            select(scores.c.posting_id, func.max(scores.c.scored_at))
            .where(scores.c.posting_id.in_(locked))
            .group_by(scores.c.posting_id)
        )
        if at is not None
    }

    def stale(pid: int) -> bool:
        if pid not in pending or current.get(pid) != read.get(pid):
            return True
        if not rescore_all and not pending[pid]:
            return True
        return pid in newest and newest[pid] > now

    skipped = {pid for pid in locked if stale(pid)}
    ids = [pid for pid in rows if pid not in skipped]
    if ids:
        conn.execute(
            update(scores)
            .where(and_(scores.c.posting_id.in_(ids), scores.c.is_latest.is_(True)))
            .values(is_latest=False)
        )
        conn.execute(insert(scores), [rows[pid] for pid in ids])
        conn.execute(update(postings).where(postings.c.id.in_(ids)).values(needs_scoring=False, score_error=None))
    for pid, msg in errors.items():
        if pid not in skipped:
            conn.execute(update(postings).where(postings.c.id == pid).values(needs_scoring=True, score_error=msg))
    return skipped


def latest_score(conn: Connection, posting_id: int) -> StoredScore | None:
    """The posting's latest score, or None when it has not been scored."""
    row = conn.execute(
        select(scores).where(and_(scores.c.posting_id == posting_id, scores.c.is_latest.is_(True)))
    ).first()
    return None if row is None else StoredScore.from_mapping(row._mapping)


def first_score_features(conn: Connection) -> dict[int, tuple[dict[str, Any], int | None]]:
    """Per scored posting: the features of its **first** score and its client id (for training)."""
    first = select(func.min(scores.c.id).label("id")).group_by(scores.c.posting_id).subquery()
    q = (
        select(scores.c.posting_id, scores.c.features, postings.c.client_id)
        .join(first, first.c.id == scores.c.id)
        .join(postings, postings.c.id == scores.c.posting_id)
    )
    return {int(r.posting_id): (r.features or {}, r.client_id) for r in conn.execute(q)}
