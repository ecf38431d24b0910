"""The postings' text fingerprints, read for the repost index (``scoring.repost_store``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from jobsift.store.schema import postings
from jobsift.store.scoring_records import RepostFacts


def fingerprint_rows(conn: Connection, after_id: int = 0) -> list[tuple[int, str]]:
    """(id, fingerprint) of the stored postings with a 16-digit fingerprint and ``id > after_id``."""
    # The driver's cursor directly: at 1M rows, SQLAlchemy's Row objects would triple the load time.
    # ``fingerprint`` is indexed, so SQLite reads the index (which carries the id), not the table.
    sql = "SELECT id, fingerprint FROM postings WHERE fingerprint > ''"
    if after_id:
        # The primary key's range, not the fingerprint index (SQLite would otherwise scan all of it).
        # An int formatted in, not text: the driver's cursor differs in placeholder style by backend.
        sql = f"SELECT id, fingerprint FROM postings WHERE id > {int(after_id)} AND fingerprint IS NOT NULL"  # noqa: S608
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        return [r for r in cursor.fetchall() if len(r[1]) == 16]
    finally:
        cursor.close()


def repost_facts(conn: Connection, ids: Sequence[int]) -> dict[int, RepostFacts]:
    """Fingerprint, source, client and company of these postings, by id (read 5,000 ids at a time)."""
    out: dict[int, RepostFacts] = {}
    cols = (postings.c.id, postings.c.fingerprint, postings.c.source, postings.c.client_id, postings.c.company)
    for start in range(0, len(ids), 5000):
        for r in conn.execute(select(*cols).where(postings.c.id.in_(ids[start : start + 5000]))):
            out[r.id] = RepostFacts(r.id, r.fingerprint or "", r.source, r.client_id, r.company)
    return out
