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
from sqlalchemy import Connection

from jobsift.scoring.reposts import Entry, RepostIndex, parse_fingerprints
from jobsift.store.fingerprints import fingerprint_rows, repost_facts

REFRESH_SECONDS = 600.0


def load_fingerprints(conn: Connection, after_id: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(ids, fingerprint values) of the stored postings with a fingerprint and ``id > after_id``."""
    rows = fingerprint_rows(conn, after_id)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    return ids, parse_fingerprints([r[1] for r in rows])


def build_repost_index(conn: Connection) -> RepostIndex:
    """Every stored fingerprint as an index; pass ``resolve=lambda ids: repost_details(conn, ids)``
    with the caller's own connection when querying it."""
    ids, values = load_fingerprints(conn)
    return RepostIndex.from_arrays(ids, values)


def repost_details(conn: Connection, ids: Sequence[int]) -> dict[int, Entry]:
    """What decides whether a near-duplicate is a repost: fingerprint, source, client and company."""
    return repost_facts(conn, ids)


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
