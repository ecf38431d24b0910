"""The repost index read from the store, and kept between score runs by long-lived processes.

``build_repost_index`` reads every stored fingerprint (ids and 64-bit values only: 16 MB and
about 0.6 s at 1M postings); ``repost_details`` reads source, client and company for the few
postings that match. A daemon or worker scores after every crawl batch: its ``RepostCache``
keeps the index and adds only the postings stored since the last run (``id`` above the highest
it holds), merged into the sorted arrays, and reads everything again every ``refresh_seconds``.
Between full reads a posting whose text was edited is still filed under its old fingerprint:
matches are re-checked against the current fingerprint (no false repost), and the edited text
is found as a repost of others after the next full read at the latest.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
from sqlalchemy import Connection, select

from jobsift.scoring.reposts import Entry, RepostIndex, parse_fingerprints
from jobsift.store.schema import postings

REFRESH_SECONDS = 600.0


def load_fingerprints(conn: Connection, after_id: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(ids, fingerprint values) of the stored postings with a fingerprint and ``id > after_id``."""
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
        rows = [r for r in cursor.fetchall() if len(r[1]) == 16]
    finally:
        cursor.close()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    return ids, parse_fingerprints([r[1] for r in rows])


def build_repost_index(conn: Connection) -> RepostIndex:
    """Every stored fingerprint as an index; pass ``resolve=lambda ids: repost_details(conn, ids)``
    with the caller's own connection when querying it."""
    ids, values = load_fingerprints(conn)
    return RepostIndex.from_arrays(ids, values)


def repost_details(conn: Connection, ids: Sequence[int]) -> dict[int, Entry]:
    """What decides whether a near-duplicate is a repost: fingerprint, source, client and company."""
    out: dict[int, Entry] = {}
    cols = (postings.c.id, postings.c.fingerprint, postings.c.source, postings.c.client_id, postings.c.company)
    for start in range(0, len(ids), 5000):
        for r in conn.execute(select(*cols).where(postings.c.id.in_(ids[start : start + 5000]))):
            out[r.id] = Entry(r.id, r.fingerprint or "", r.source, r.client_id, r.company)
    return out


class RepostCache:
    """The repost index of one database, kept by a long-lived process between score runs."""

    def __init__(self, refresh_seconds: float = REFRESH_SECONDS) -> None:
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._index: RepostIndex | None = None
        self._max_id = 0
        self._loaded_at = 0.0
        self.full_reads = 0
        self.added = 0

    def index(self, conn: Connection) -> RepostIndex:
        """The index as of now: read in full when missing or stale, else extended with new postings."""
        with self._lock:
            now = time.monotonic()
            if self._index is None or now - self._loaded_at > self.refresh_seconds:
                self._index = build_repost_index(conn)
                self._max_id, self._loaded_at = self._index.max_id, now
                self.full_reads += 1
                return self._index
            ids, values = load_fingerprints(conn, after_id=self._max_id)
            if ids.size:
                self._index = self._index.extended(ids, values)
                self._max_id = max(self._max_id, int(ids.max()))
                self.added += int(ids.size)
            return self._index
