"""Clients and their snapshots: one write path, so a change in stats always leaves a snapshot.

``clients.stats_hash`` is the hash of the client's stored stats and the newest
``client_snapshots`` row holds those stats: the crawl's upsert and detail-page enrichment both
write through ``_write_client``, which updates the row, snapshots it and marks its postings for
rescoring.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select, update

from jobsift.model import Client, Posting
from jobsift.store.schema import client_snapshots, clients, postings

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
CLIENT_FIELDS = tuple(f.name for f in fields(Client) if f.name != "key")


def client_key(client: Client, posting: Posting) -> str:
    """The key a client is stored under: the source's id, else its name, else the posting's own."""
    if client.key:
        return client.key
    if client.name:
        return "name:" + client.name.strip().lower()
    return "posting:" + posting.external_id


def stats_hash(client: Client) -> str:
    """The hash of a client's stats (``clients.stats_hash``): a change means a snapshot and a rescore."""
    data = [getattr(client, k) for k in CLIENT_STATS]
    return hashlib.sha1(json.dumps(data, default=str).encode(), usedforsecurity=False).hexdigest()


def _merged(stored: Mapping[str, Any] | None, client: Client, *, keep_known: bool) -> Client:
    """``client`` over the stored values: unknown never erases known; ``keep_known`` also keeps known values."""
    if stored is None:
        return client
    values = {}
    for name in CLIENT_FIELDS:
        new, old = getattr(client, name), stored.get(name)
        values[name] = old if new is None or (keep_known and old is not None) else new
    return Client(key=client.key, **values)


def upsert_client(conn: Connection, source: str, posting: Posting, now: datetime) -> int | None:
    """Insert or refresh the posting's client; a change in stats adds a snapshot and rescores."""
    return upsert_clients(conn, source, [posting], now)[0]


def _known(conn: Connection, source: str, keys: Sequence[str]) -> dict[str, tuple[int, str | None, dict[str, Any]]]:
    """Stored clients of ``source`` by key: id, stats hash and field values (one SELECT per chunk)."""
    out: dict[str, tuple[int, str | None, dict[str, Any]]] = {}
    cols = [clients.c.client_key, clients.c.id, clients.c.stats_hash, *(clients.c[n] for n in CLIENT_FIELDS)]
    for start in range(0, len(keys), CHUNK):
        rows = conn.execute(
            select(*cols).where(and_(clients.c.source == source, clients.c.client_key.in_(keys[start : start + CHUNK])))
        )
        for r in rows:
            m = r._mapping
            out[r.client_key] = (int(r.id), r.stats_hash, {n: m[n] for n in CLIENT_FIELDS})
    return out


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
    known = _known(conn, source, list(wanted))
    out: list[int | None] = []
    for p, maybe_key in zip(items, keys, strict=True):
        if maybe_key is None or p.client is None:
            out.append(None)
            continue
        row = known.get(maybe_key)
        merged = _merged(None if row is None else row[2], p.client, keep_known=False)
        digest = stats_hash(merged)
        if row is None or row[1] != digest:
            cid = _write_client(conn, source, maybe_key, merged, digest, None if row is None else row[0], now)
            row = known[maybe_key] = (cid, digest, {n: getattr(merged, n) for n in CLIENT_FIELDS})
        out.append(row[0])
    return out


def _write_client(
    conn: Connection, source: str, key: str, client: Client, digest: str, cid: int | None, now: datetime
) -> int:
    """Insert a new client or refresh a known one whose stats changed; snapshot the stats."""
    fields_ = {name: getattr(client, name) for name in CLIENT_FIELDS}
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


@dataclass(frozen=True, slots=True)
class ClientGap:
    """A listed posting whose client is unknown (no client, or neither payment status nor spend)."""

    posting_id: int
    external_id: str
    url: str
    title: str
    client_id: int | None


def unknown_clients(conn: Connection, source: str, limit: int) -> list[ClientGap]:
    """Listed postings of ``source`` whose client is unknown, newest first (detail-page enrichment)."""
    q = (
        select(postings.c.id, postings.c.external_id, postings.c.url, postings.c.title, postings.c.client_id)
        .select_from(postings.outerjoin(clients, clients.c.id == postings.c.client_id))
        .where(
            and_(
                postings.c.source == source,
                postings.c.gone_at.is_(None),
                or_(
                    postings.c.client_id.is_(None),
                    and_(clients.c.payment_verified.is_(None), clients.c.total_spent.is_(None)),
                ),
            )
        )
        .order_by(postings.c.first_seen_at.desc(), postings.c.id.desc())
        .limit(limit)
    )
    return [ClientGap(r.id, r.external_id, r.url, r.title, r.client_id) for r in conn.execute(q)]


def fill_client(conn: Connection, source: str, gap: ClientGap, found: Client, now: datetime) -> int:
    """Attach ``found`` to the posting: fill its client's unknown fields (known values stay), or create one."""
    if gap.client_id is None:
        posting = Posting(source=source, external_id=gap.external_id, url=gap.url, title=gap.title, client=found)
        cid = upsert_client(conn, source, posting, now)
        assert cid is not None  # found is not empty
    else:
        cid = gap.client_id
        old = dict(conn.execute(select(clients).where(clients.c.id == cid)).one()._mapping)
        merged = _merged(old, found, keep_known=True)
        digest = stats_hash(merged)
        if digest != old["stats_hash"]:
            _write_client(conn, source, old["client_key"], merged, digest, cid, now)
        else:
            values = {n: getattr(merged, n) for n in CLIENT_FIELDS if old[n] is None and getattr(merged, n) is not None}
            if values:  # a name or a country, no stats: no snapshot to take
                conn.execute(update(clients).where(clients.c.id == cid).values(updated_at=now, **values))
    conn.execute(update(postings).where(postings.c.id == gap.posting_id).values(client_id=cid, needs_scoring=True))
    return cid
