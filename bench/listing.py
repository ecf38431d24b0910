"""Listing speed on a large SQLite store: the page's query, the feed's query, a 100-item feed, TTFB.

A store of 1,000,000 postings (``quick``: 100,000) with a latest score each and 20,000 clients is
generated with ``executemany`` on a migrated SQLite file. Measured, p50 and p95 over repeated runs:

- ``listing``: the web page's default view (hide ghost, quality ≥ 40, newest first, 50 per page);
- ``feed query``: what ``/feed.xml?hide=ghost&min_quality=60`` runs (100 items, newest first);
- ``page 5``: deep pagination of the listing; ``best first``: the listing ordered by quality;
- rendering a 100-item RSS feed (lxml), and the web page's time to first byte over real HTTP.

The baseline of each query is the same query with the index ``ix_postings_listed_at_id`` (on the
generated column ``postings.listed_at``, migration 0003) dropped, measured in the same run: the
indexes that get the listing under 20 ms are that one (ordered scan, stops after a page) and
``ix_scores_posting_id_is_latest`` (the latest-score join), which the baseline keeps.
"""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

FLAG_SETS = ([], [], [], [], ["lowball"], ["ghost"], ["payment_unverified"], ["ghost", "lowball"])
SOURCES = ("upwork", "remoteok", "remotive", "freelancer", "weworkremotely", "hn")
WORDS = (
    "python",
    "django",
    "react",
    "api",
    "data",
    "pipeline",
    "design",
    "logo",
    "shopify",
    "wordpress",
    "seo",
    "mobile",
    "flutter",
    "testing",
)
TS = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a datetime in SQLite


def _generate(path: Path, n: int, seed: int = 7) -> None:
    from jobsift.store.db import open_store

    engine = open_store(f"sqlite:///{path}")
    engine.dispose()
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(tzinfo=None)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA journal_mode=WAL")
    n_clients = max(100, n // 50)
    conn.executemany(
        "INSERT INTO clients (id, source, client_key, name, payment_verified, jobs_posted, jobs_with_hires, "
        "first_seen_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (i, SOURCES[i % 6], f"c{i}", f"Client {i}", i % 3 != 0, i % 40, i % 17, now.strftime(TS), now.strftime(TS))
            for i in range(1, n_clients + 1)
        ),
    )

    def postings() -> Any:
        for i in range(1, n + 1):
            seen = now - timedelta(seconds=i * 2_592_000 / n)  # spread over 30 days, id 1 newest
            posted = (seen - timedelta(hours=rng.random() * 6)).strftime(TS) if i % 4 else None
            lo = float(rng.choice((15, 25, 50, 100, 250, 500, 1000, 3000)))
            title = " ".join(rng.choice(WORDS) for _ in range(5))
            yield (
                i,
                SOURCES[i % 6],
                f"x{i}",
                f"https://jobs.test/{i}",
                title,
                title + " " + title,
                posted,
                seen.strftime(TS),
                seen.strftime(TS),
                1,
                "fixed" if i % 3 else "hourly",
                lo,
                lo * 2,
                "USD",
                lo,
                lo * 2,
                "field",
                json.dumps([rng.choice(WORDS), rng.choice(WORDS)]),
                rng.choice(("United States", "Germany", "India", "Canada")),
                1 + i % n_clients,
                f"h{i}",
                0,
                seen.strftime(TS),
            )

    conn.executemany(
        "INSERT INTO postings (id, source, external_id, url, title, description_text, posted_at, first_seen_at, "
        "last_seen_at, seen_count, budget_kind, budget_min, budget_max, budget_currency, budget_min_usd, "
        "budget_max_usd, budget_provenance, skills, country, client_id, content_hash, needs_scoring, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        postings(),
    )

    def scores() -> Any:
        scored = now.strftime(TS)
        for i in range(1, n + 1):
            flags = FLAG_SETS[i % len(FLAG_SETS)]
            # One decimal, as the scorer writes it (about 1,000 distinct values from 0 to 100).
            quality = round(5 + (i * 7) % 200 / 10, 1) if "ghost" in flags else round(30 + (i * 37) % 700 / 10, 1)
            yield (
                i,
                scored,
                1,
                "bench",
                quality,
                json.dumps(flags),
                "," + ",".join(flags) + ",",
                0.8 if "ghost" in flags else 0.1,
                "unknown",
                '[{"code": "x", "text": "client hired in 3 of 10 jobs", "flag": null}]',
                "{}",
            )

    conn.executemany(
        "INSERT INTO scores (posting_id, scored_at, is_latest, model_version, quality, flags, flags_text, "
        "ghost_probability, payment_status, reasons, features) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        scores(),
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def _timed(fn: Callable[[], object], repeat: int, *, warm: bool = True) -> list[float]:
    if warm:
        fn()  # warm the page cache and the statement cache
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def run(quick: bool) -> list[dict[str, Any]]:
    import httpx

    from jobsift.config import load_config
    from jobsift.publish.feed import render_rss
    from jobsift.publish.params import FilterParams
    from jobsift.publish.server import ThreadedServer
    from jobsift.publish.web import create_app
    from jobsift.store.db import make_engine
    from jobsift.store.queries import list_jobs

    n = 100_000 if quick else 1_000_000
    repeat = 30 if quick else 60
    records: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="jobsift-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        _generate(path, n)
        gen_s = time.perf_counter() - t0
        engine = make_engine(f"sqlite:///{path}")
        queries = {
            "listing (hide ghost, quality>=40, newest, 50)": FilterParams(
                exclude_flags=["ghost"], min_quality=40, limit=50
            ),
            "feed query (hide ghost, quality>=60, 100 items)": FilterParams(
                exclude_flags=["ghost"], min_quality=60, limit=100
            ),
            "listing page 5": FilterParams(exclude_flags=["ghost"], min_quality=40, limit=50, page=5),
            "listing best first": FilterParams(exclude_flags=["ghost"], min_quality=40, limit=50, order="quality"),
        }

        def measure(names: list[str], times: int, warm: bool = True) -> dict[str, list[float]]:
            out = {}
            for name in names:
                f = queries[name].to_filter(extra_limit=1)

                def q(f: Any = f) -> object:
                    with engine.connect() as conn:
                        return list_jobs(conn, f)

                out[name] = _timed(q, times, warm=warm)
            return out

        indexed = measure(list(queries), repeat)
        # Without the index each run takes seconds: three runs of the two main queries are enough.
        slow = list(queries)[:2]
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP INDEX ix_postings_listed_at_id")
        baseline = measure(slow, 3, warm=False)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE INDEX ix_postings_listed_at_id ON postings (listed_at, id)")
        for name in queries:
            for q in (50, 95):
                value = _p(indexed[name], q)
                base = statistics.median(baseline[name]) if name in baseline else None
                records.append(
                    {
                        "name": f"{name} p{q}",
                        "value": round(value, 2),
                        "unit": "ms",
                        "baseline": round(base, 1) if base else None,
                        "ratio": round(base / value, 1) if base and value else None,
                        "note": f"{n:,} postings"
                        + ("; baseline: median of 3 runs without ix_postings_listed_at_id" if base else ""),
                    }
                )
        with engine.connect() as conn:
            jobs = list_jobs(conn, queries["feed query (hide ghost, quality>=60, 100 items)"].to_filter())
        render = _timed(lambda: render_rss(jobs, link="http://127.0.0.1/"), repeat)
        base = _timed(lambda: json.dumps([j.to_json() for j in jobs], default=str), repeat)
        records.append(
            {
                "name": "render 100-item RSS feed p50",
                "value": round(_p(render, 50), 2),
                "unit": "ms",
                "baseline": round(_p(base, 50), 2),
                "ratio": round(_p(render, 50) / _p(base, 50), 1),
                "note": "baseline: json.dumps of the same 100 jobs",
            }
        )
        app = create_app(engine, load_config(None, env={}))
        with ThreadedServer(app) as url, httpx.Client() as client:

            def ttfb(path: str) -> Callable[[], object]:
                def go() -> object:
                    with client.stream("GET", url + path) as r:
                        next(r.iter_raw(), b"")
                    return None

                return go

            page = _timed(ttfb("/"), repeat)
            health = _timed(ttfb("/healthz"), repeat)
        for q in (50, 95):
            records.append(
                {
                    "name": f"page time to first byte p{q}",
                    "value": round(_p(page, q), 2),
                    "unit": "ms",
                    "baseline": round(_p(health, q), 2),
                    "ratio": round(_p(page, q) / _p(health, q), 1),
                    "note": "GET / over loopback HTTP; baseline: GET /healthz (server overhead)",
                }
            )
        records.append(
            {
                "name": "generate store",
                "value": round(gen_s, 1),
                "unit": "s",
                "baseline": None,
                "ratio": None,
                "note": f"{n:,} postings + scores with executemany, migrated SQLite file",
            }
        )
        engine.dispose()
    return records


if __name__ == "__main__":
    import sys

    for record in run("--quick" in sys.argv):
        print(record)
