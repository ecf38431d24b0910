"""Worker scale-out: crawl throughput with 1, 2 and 4 ``jobsift worker`` processes on PostgreSQL.

A loopback server answers every feed after a fixed latency (100 ms); N workers run
``worker --once`` on a fresh database until every source is crawled. Throughput is counted
from the first request to the last stored fetch (process start-up excluded). The lease
overhead is one claim + one release of a source, against a bare transaction as baseline.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import text

from jobsift.config import SourceConfig
from jobsift.scheduling import leases
from jobsift.store.db import open_store
from jobsift.store.sources import sync_sources

LATENCY = 0.1
CONCURRENCY = 8


def feed(i: int) -> bytes:
    items = "".join(
        f"<item><title>Job {i}-{j}</title><link>https://jobs.example/{i}/{j}</link><guid>{i}-{j}</guid>"
        "<description>Build a data pipeline. Budget $500.</description></item>"
        for j in range(5)
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>f{i}</title>{items}</channel></rss>".encode()


class SlowFeeds:
    """Every ``/f/N`` answers after ``latency`` seconds; request times are kept."""

    def __init__(self, latency: float) -> None:
        self.times: list[float] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                owner.times.append(time.monotonic())
                time.sleep(latency)
                body = feed(int(self.path.rsplit("/", 1)[-1]))
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def write_config(path: Path, base: str, n: int) -> None:
    lines = [
        "[fetch]",
        "per_host_delay = 0.0",
        "per_host_concurrency = 64",
        f"concurrency = {CONCURRENCY}",
        "respect_robots = false",
        "retries = 1",
        "",
        "[schedule]",
        "jitter_seconds = 0.0",
        'prune_time = ""',
        "",
    ]
    for i in range(n):
        lines += ["[[sources]]", f'name = "s{i}"', 'format = "rss"', f'url = "{base}/f/{i}"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def crawl_with(workers: int, n: int, admin_url: str, tmp: Path) -> float:
    """Sources per minute with ``workers`` processes, first request to last stored fetch."""
    from tests.support.pgserver import create_database

    url = create_database(admin_url)
    open_store(url).dispose()  # migrate once, outside the measurement
    server = SlowFeeds(LATENCY)
    cfg = tmp / f"w{workers}.toml"
    write_config(cfg, server.url, n)
    try:
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "jobsift", "--config", str(cfg), "--db", url, "worker", "--once"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        codes = [p.wait(600) for p in procs]
        assert codes == [0] * workers, codes
        engine = open_store(url)
        with engine.connect() as conn:
            done = conn.execute(text("SELECT count(*), max(finished_at) FROM fetches")).one()
        engine.dispose()
        assert done[0] == n, done
        last_stored = done[1].timestamp()
        # server times are monotonic; convert the first to wall-clock through the current offset
        first = min(server.times) - time.monotonic() + time.time()
        return n / max(last_stored - first, 1e-6) * 60
    finally:
        server.close()


def lease_overhead(admin_url: str, rounds: int) -> tuple[float, float]:
    """Milliseconds per claim+release of one source, and per bare transaction (baseline)."""
    from tests.support.pgserver import create_database

    engine = open_store(create_database(admin_url))
    names = [f"s{i}" for i in range(rounds)]
    with engine.begin() as conn:
        sync_sources(conn, [SourceConfig(name=n, format="rss", url=f"http://x/{n}") for n in names])
    now = datetime.now(UTC)
    started = time.perf_counter()
    for _ in range(rounds):
        (name,) = leases.claim_due(engine, "bench:1", names, limit=1, lease_seconds=300, now=now)
        leases.release(engine, "bench:1", [name], next_due_at=now + timedelta(minutes=15))
    claim = (time.perf_counter() - started) / rounds * 1000
    started = time.perf_counter()
    for _ in range(rounds):
        with engine.begin() as conn:
            conn.execute(text("SELECT 1"))
    bare = (time.perf_counter() - started) / rounds * 1000
    engine.dispose()
    return claim, bare


def run(quick: bool) -> list[dict[str, Any]]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.support.pgserver import PgServer

    n = 60 if quick else 200
    records: list[dict[str, Any]] = []
    server = PgServer()
    admin = os.environ.get("JOBSIFT_TEST_PG_URL") or server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            base = None
            for workers in (1, 2, 4):
                rate = crawl_with(workers, n, admin, Path(tmp))
                base = base or rate
                records.append(
                    {
                        "name": f"workers/throughput_{workers}w",
                        "value": round(rate, 1),
                        "unit": "sources/min",
                        "baseline": round(base, 1),
                        "ratio": round(rate / base, 2),
                        "note": f"{n} sources, {LATENCY * 1000:.0f} ms latency, concurrency {CONCURRENCY} per worker",
                    }
                )
        claim, bare = lease_overhead(admin, 50 if quick else 200)
        records.append(
            {
                "name": "workers/lease_claim_release",
                "value": round(claim, 2),
                "unit": "ms/source",
                "baseline": round(bare, 2),
                "ratio": round(claim / bare, 2),
                "note": "claim (SELECT ... FOR UPDATE SKIP LOCKED + UPDATE) and release; baseline: a bare transaction",
            }
        )
    finally:
        if not os.environ.get("JOBSIFT_TEST_PG_URL"):
            server.stop()
    return records
