"""Keeping a long-running store bounded: ``prune`` (retention) and ``table_stats`` (size, growth).

What prune removes, past ``days``: the raw source item of postings not seen since (the facts
stay), fetch log rows, finished runs, client snapshots except each client's newest, finished
periodic-job claims; and, only when ``score_history_days`` > 0, superseded (non-latest) scores.
It never touches postings' facts, latest scores, labels, clients, sightings or digests.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, delete, func, null, select, text, update

from jobsift.store.schema import (
    client_snapshots,
    fetches,
    job_claims,
    metadata,
    postings,
    runs,
    scores,
)

#: The column that says when a row was added, per table (growth per day is counted on it).
ADDED_AT = {
    "postings": "first_seen_at",
    "fetches": "started_at",
    "runs": "started_at",
    "scores": "scored_at",
    "client_snapshots": "observed_at",
    "sightings": "first_seen_at",
    "clients": "first_seen_at",
    "labels": "created_at",
    "digests": "created_at",
    "webhook_deliveries": "created_at",
    "job_claims": "claimed_at",
}


@dataclass(slots=True)
class PruneReport:
    raw_cleared: int = 0
    fetches: int = 0
    runs: int = 0
    client_snapshots: int = 0
    scores: int = 0
    job_claims: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def __str__(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.as_dict().items())


def prune(
    engine: Engine,
    *,
    days: int,
    score_history_days: int = 0,
    now: datetime | None = None,
    vacuum: bool = False,
) -> PruneReport:
    """Drop what is older than ``days`` (see the module docstring); one transaction."""
    if days < 1:
        raise ValueError("days must be at least 1")
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=days)
    report = PruneReport()
    with engine.begin() as conn:
        report.raw_cleared = _count(
            conn.execute(
                update(postings)
                .where(and_(postings.c.raw.is_not(None), postings.c.last_seen_at < cutoff))
                .values(raw=null())
            )
        )
        report.fetches = _count(conn.execute(delete(fetches).where(fetches.c.started_at < cutoff)))
        # A finished run older than the cutoff only has fetches older than it (deleted above).
        report.runs = _count(
            conn.execute(delete(runs).where(and_(runs.c.finished_at.is_not(None), runs.c.finished_at < cutoff)))
        )
        newest = select(func.max(client_snapshots.c.id)).group_by(client_snapshots.c.client_id)
        report.client_snapshots = _count(
            conn.execute(
                delete(client_snapshots).where(
                    and_(client_snapshots.c.observed_at < cutoff, client_snapshots.c.id.not_in(newest))
                )
            )
        )
        if score_history_days > 0:
            score_cutoff = now - timedelta(days=score_history_days)
            report.scores = _count(
                conn.execute(
                    delete(scores).where(and_(scores.c.is_latest.is_(False), scores.c.scored_at < score_cutoff))
                )
            )
        report.job_claims = _count(
            conn.execute(
                delete(job_claims).where(and_(job_claims.c.status == "done", job_claims.c.claimed_at < cutoff))
            )
        )
    if vacuum:
        vacuum_store(engine)
    return report


def _count(result: Any) -> int:
    return int(result.rowcount or 0)


def vacuum_store(engine: Engine) -> None:
    """Give freed pages back to the filesystem (SQLite) or refresh the planner (PostgreSQL)."""
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            # jobsift's SQLite connections run in driver autocommit mode: VACUUM needs no open transaction.
            raw.driver_connection.execute("VACUUM")  # type: ignore[union-attr]
        finally:
            raw.close()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


@dataclass(slots=True)
class TableStat:
    table: str
    rows: int
    bytes: int | None  # data and indexes; None when the backend cannot say
    rows_per_day: float | None
    bytes_per_day: float | None


def _table_bytes(engine: Engine, names: list[str]) -> dict[str, int]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return {
                n: int(conn.execute(text("SELECT pg_total_relation_size(CAST(:t AS regclass))"), {"t": n}).scalar_one())
                for n in names
            }
        owner = {r.name: r.tbl_name for r in conn.execute(text("SELECT name, tbl_name FROM sqlite_master"))}
        try:
            pages = conn.execute(text("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")).all()
        except Exception:  # noqa: BLE001 - SQLite built without DBSTAT: sizes unknown
            return {}
    out: dict[str, int] = {}
    for name, size in pages:
        table = owner.get(name, name)
        out[table] = out.get(table, 0) + int(size)
    return out


def database_bytes(engine: Engine) -> int:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
        pages = conn.execute(text("PRAGMA page_count")).scalar_one()
        page_size = conn.execute(text("PRAGMA page_size")).scalar_one()
    return int(pages) * int(page_size)


def table_stats(engine: Engine, *, days: int = 7, now: datetime | None = None) -> list[TableStat]:
    """Rows and bytes per table, and rows/bytes added per day over the last ``days``."""
    now = now or datetime.now(UTC)
    since = now - timedelta(days=days)
    names = [t.name for t in metadata.sorted_tables]
    sizes = _table_bytes(engine, names)
    out: list[TableStat] = []
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            per_day: float | None = None
            col = ADDED_AT.get(table.name)
            if col is not None:
                recent = conn.execute(select(func.count()).select_from(table).where(table.c[col] >= since)).scalar_one()
                per_day = int(recent) / days
            size = sizes.get(table.name)
            bytes_per_day = None
            if per_day is not None and size is not None and rows:
                bytes_per_day = per_day * size / rows
            out.append(TableStat(table.name, rows, size, per_day, bytes_per_day))
    return sorted(out, key=lambda s: (-(s.bytes or 0), s.table))
