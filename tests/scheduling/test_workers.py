"""``jobsift worker`` processes sharing PostgreSQL: exactly once per period, takeover after a kill."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from jobsift.store.db import open_store
from tests.publish.smtp import SmtpServer
from tests.scheduling.conftest import Proc, feed_route, hold_first, scalar, serve_feeds, wait_db, write_config
from tests.support.httpserver import Reply, Request, ScriptedServer

pytestmark = pytest.mark.postgres


def meet(server: ScriptedServer, i: int, first: int, gate: threading.Event) -> Callable[[Request], Reply]:
    """The first ``first`` requests (all paths) wait until that many are in flight at once."""

    def route(req: Request) -> Reply:
        with server.seen:
            early = len(server.requests) <= first and not gate.is_set()
            if early and server.seen.wait_for(lambda: server.in_flight >= first or gate.is_set(), 20):
                gate.set()
        return feed_route(i)

    return route


def test_r26_three_workers_fetch_each_due_source_exactly_once_per_period(
    server: ScriptedServer, pg_url: str, tmp_path: Path, spawn: Callable[..., Proc]
) -> None:
    n, batch = 50, 5
    gate = threading.Event()
    serve_feeds(server, n, lambda i: meet(server, i, 3 * batch, gate))
    smtp = SmtpServer().__enter__()
    cfg = write_config(
        tmp_path / "jobsift.toml",
        server.url,
        n,
        concurrency=batch,
        prune_time="00:00",
        extra=f'[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\ntimeout = 10.0\n\n'
        '[digest]\nrecipients = ["a@example.org", "b@example.org"]\ntime = "00:00"\n'
        "min_quality = 0.0",
    )
    engine = open_store(pg_url)
    try:
        workers = [
            spawn("--config", str(cfg), "--db", pg_url, "worker", "--once", "--batch", str(batch)) for _ in range(3)
        ]
        assert [w.finish() for w in workers] == [0, 0, 0], "\n".join(w.output for w in workers)
        # The three held their first batches at the same time: the work really was shared.
        assert server.max_in_flight >= 3 * batch
        assert [server.hits(f"/f/{i}") for i in range(n)] == [1] * n
        assert scalar(engine, "SELECT count(*) FROM fetches") == n
        assert scalar(engine, "SELECT count(DISTINCT source_id) FROM fetches") == n
        assert scalar(engine, "SELECT count(DISTINCT worker) FROM runs WHERE trigger = 'worker'") == 3
        assert scalar(engine, "SELECT count(*) FROM sources WHERE lease_owner IS NOT NULL") == 0
        assert scalar(engine, "SELECT count(*) FROM sources WHERE next_due_at <= now()") == 0
        assert scalar(engine, "SELECT count(*) FROM postings") == 3 * n
        # The daily digest and prune (due since 00:00) were each claimed and run by exactly one worker.
        assert sum("digest" in w.output.splitlines()[-1] for w in workers) == 1
        assert sum("prune" in w.output.splitlines()[-1] for w in workers) == 1
        assert scalar(engine, "SELECT count(*) FROM job_claims WHERE status = 'done'") == 2
        assert sorted(r for m in smtp.inbox.messages for r in m.rcpt_tos) == ["a@example.org", "b@example.org"]

        # Same period again: nothing is due, nothing is fetched.
        again = spawn("--config", str(cfg), "--db", pg_url, "worker", "--once")
        assert again.finish() == 0
        assert again.output.splitlines()[-1] == "worker done: 0 sources crawled in 0 runs"  # no digest again
        assert sum(server.hits(f"/f/{i}") for i in range(n)) == n
        assert len(smtp.inbox.messages) == 2
    finally:
        engine.dispose()
        smtp.__exit__()


def test_r22_worker_killed_holding_leases_is_taken_over_after_expiry(
    server: ScriptedServer, pg_url: str, tmp_path: Path, spawn: Callable[..., Proc]
) -> None:
    n = 6
    held = threading.Event()
    serve_feeds(server, n, lambda i: hold_first(server, i, held))
    cfg = write_config(tmp_path / "jobsift.toml", server.url, n, lease=2.0)
    engine = open_store(pg_url)
    try:
        a = spawn("--config", str(cfg), "--db", pg_url, "worker", "--batch", str(n))
        assert server.wait_for(lambda: len(server.requests) >= n), a.output
        a_pid = a.popen.pid
        owners = wait_db(
            engine,
            "SELECT string_agg(DISTINCT lease_owner, ',') FROM sources",
            lambda v: v is not None and v.endswith(f":{a_pid}"),
        )
        assert "," not in owners
        b = spawn("--config", str(cfg), "--db", pg_url, "worker", "--poll", "0.5")
        b.wait_line("worker .* started")
        a.signal(signal.SIGKILL)
        held.set()  # the killed worker's requests can end now; nobody reads them
        wait_db(
            engine, "SELECT count(*) FROM sources WHERE last_outcome = 'ok' AND lease_owner IS NULL", lambda v: v == n
        )
        assert b.signal(signal.SIGTERM) == 0, b.output
        assert [server.hits(f"/f/{i}") for i in range(n)] == [2] * n  # A's lost fetch, then B's
        assert scalar(engine, "SELECT count(*) FROM fetches") == n
        assert scalar(engine, "SELECT count(*) FROM postings") == 3 * n
        assert (
            scalar(engine, "SELECT count(*) FROM (SELECT source FROM postings GROUP BY source HAVING count(*) = 3) x")
            == n
        )
        assert scalar(engine, "SELECT status FROM runs WHERE worker LIKE :w", w=f"%:{a_pid}") == "aborted"
        with engine.connect() as conn:
            b_runs = conn.execute(text("SELECT status FROM runs WHERE worker NOT LIKE :w"), {"w": f"%:{a_pid}"}).all()
        assert b_runs
        assert all(r.status == "ok" for r in b_runs)
    finally:
        engine.dispose()
