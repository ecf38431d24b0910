"""What a score run reads: the postings to score, their clients and how often they were relisted."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, func, select

from jobsift.store.schema import clients, postings, sightings
from jobsift.store.scoring_records import ClientForScoring, PostingForScoring

#: Everything but the raw item and the HTML, which scoring never reads.
COLUMNS = [c for c in postings.c if c.name not in ("raw", "description_html")]


def pending_ids(conn: Connection, rescore_all: bool = False) -> list[int]:
    """Ids of the postings that need scoring (or of every posting), in id order."""
    q = select(postings.c.id).order_by(postings.c.id)
    if not rescore_all:
        q = q.where(postings.c.needs_scoring.is_(True))
    return [int(r[0]) for r in conn.execute(q)]


def postings_for_scoring(conn: Connection, ids: Sequence[int]) -> dict[int, PostingForScoring]:
    """The postings with these ids (those that exist), by id."""
    if not ids:
        return {}
    return {
        int(r.id): PostingForScoring.from_mapping(r._mapping)
        for r in conn.execute(select(*COLUMNS).where(postings.c.id.in_(ids)))
    }


def posting_for_scoring(conn: Connection, posting_id: int) -> PostingForScoring | None:
    """One posting, or None when there is no posting with this id."""
    return postings_for_scoring(conn, [posting_id]).get(posting_id)


def clients_for_scoring(conn: Connection, ids: Iterable[int]) -> dict[int, ClientForScoring]:
    """The clients with these ids, by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {
        int(c.id): ClientForScoring.from_mapping(c._mapping)
        for c in conn.execute(select(clients).where(clients.c.id.in_(wanted)))
    }


def sighting_counts(conn: Connection, ids: Sequence[int]) -> dict[int, int]:
    """How many stretches of listing each posting has (1 = never relisted); absent = none stored."""
    return {
        int(pid): int(n)
        for pid, n in conn.execute(
            select(sightings.c.posting_id, func.count())
            .where(sightings.c.posting_id.in_(ids))
            .group_by(sightings.c.posting_id)
        )
    }
