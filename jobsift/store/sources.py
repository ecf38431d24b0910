"""Sources: the configured feeds as rows, their fetch validators and when each is due.

Leases on sources (who crawls which, until when) are in ``jobsift.store.leases``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from jobsift.config import SourceConfig
from jobsift.store.schema import sources

CHUNK = 500


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


@dataclass(frozen=True, slots=True)
class FetchState:
    """What a crawl needs of a stored source before fetching it: its id and HTTP validators."""

    id: int
    name: str
    etag: str | None
    last_modified: str | None


def fetch_states(conn: Connection, names: Sequence[str]) -> dict[str, FetchState]:
    """The stored fetch state of each named source (names not stored are left out)."""
    out: dict[str, FetchState] = {}
    cols = (sources.c.id, sources.c.name, sources.c.etag, sources.c.last_modified)
    for start in range(0, len(names), CHUNK):
        part = list(names[start : start + CHUNK])
        for r in conn.execute(select(*cols).where(sources.c.name.in_(part))):
            out[r.name] = FetchState(int(r.id), r.name, r.etag, r.last_modified)
    return out


def next_due_at(conn: Connection, name: str) -> datetime | None:
    """When source ``name`` is due again, as the store says (None: never crawled, or not stored)."""
    value: datetime | None = conn.execute(select(sources.c.next_due_at).where(sources.c.name == name)).scalar()
    return value
