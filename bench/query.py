"""Analyst SQL against its limits (R33): how long runaway queries ran past ``--timeout`` on each backend.

Each hostile query runs with ``timeout`` 2 s (``quick``: 1 s) on a seeded SQLite file and, when the
PostgreSQL binaries are installed, on a throwaway local server (as the read-only role). Records:
the wall time of each query, how it ended, and per backend the longest run against the limit.
"""

from __future__ import annotations

import tempfile
import time
from typing import Any

SQLITE = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c WHERE x % 3000000 = 0",
    "WITH RECURSIVE c(x, b) AS (SELECT 1, zeroblob(50000000) UNION ALL SELECT x + 1, b FROM c LIMIT 160) "
    "SELECT x, length(b) FROM c ORDER BY b",
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 100000) "
    "SELECT length(group_concat(printf('%.10000c', 'x'))) FROM c",
    "SELECT a.id FROM postings a, postings b, postings c, postings d, postings e, postings f, postings g "
    "ORDER BY random()",
)
POSTGRES = (
    "SELECT pg_sleep(0.009), x FROM generate_series(1, 500) AS x",  # every fetch under 1 s, 4.5 s in all
    "SELECT pg_sleep(30)",
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
    "SELECT x, repeat('x', 100000) FROM generate_series(1, 100000) x",
    "SELECT count(*) FROM generate_series(1, 100000000) a CROSS JOIN generate_series(1, 100) b",
)


def _measure(url: str, backend: str, queries: tuple[str, ...], timeout: float) -> list[dict[str, Any]]:
    from jobsift.publish.sql import QueryError, run_query

    out: list[dict[str, Any]] = []
    for i, sql in enumerate(queries, 1):
        started = time.monotonic()
        try:
            r = run_query(url, sql, timeout=timeout, max_rows=1_000_000)
            ended = f"{len(r.rows)} rows" + (f", cut by {r.cut_by}" if r.cut_by else "")
        except QueryError as exc:
            ended = str(exc)[:60]
        took = time.monotonic() - started
        out.append({"name": f"{backend} runaway query {i}", "value": round(took, 3), "unit": "s", "note": ended})
    worst = max(r["value"] for r in out)
    out.append(
        {
            "name": f"{backend} longest query vs limit",
            "value": worst,
            "unit": "s",
            "baseline": timeout,
            "ratio": round(worst / timeout, 3),
        }
    )
    return out


def run(quick: bool) -> list[dict[str, Any]]:
    from jobsift.store.db import open_store
    from tests.publish.data import seed
    from tests.publish.sqlroles import analyst_url
    from tests.support.pgserver import PgServer, create_database, find_bindir

    timeout = 1.0 if quick else 2.0
    records: list[dict[str, Any]] = []
    url = f"sqlite:///{tempfile.mkdtemp(prefix='jobsift-bench-query-')}/jobsift.db"
    engine = open_store(url)
    seed(engine)
    engine.dispose()
    records += _measure(url, "sqlite", SQLITE, timeout)
    if find_bindir() is None:
        return records
    server = PgServer()
    admin = server.start()
    try:
        url = create_database(admin)
        engine = open_store(url)
        seed(engine)
        analyst = analyst_url(engine, url)
        engine.dispose()
        records += _measure(analyst, "postgres", POSTGRES, timeout)
    finally:
        server.stop()
    return records
