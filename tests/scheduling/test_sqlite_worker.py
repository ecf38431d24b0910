"""``jobsift worker`` on SQLite: one process only, a reader beside the writer, restart after SIGKILL."""

from __future__ import annotations

import itertools
import signal
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from jobsift.store.db import make_engine, open_store
from tests.scheduling.conftest import Proc, hold_first, scalar, serve_feeds, wait_db, write_config
from tests.support.crawling import RSS_HEADERS, rss
from tests.support.httpserver import Reply, Request, ScriptedServer


def churning(i: int) -> Callable[[Request], Reply]:
    """A feed whose newest item changes at every request (so every crawl writes)."""
    counter = itertools.count()

    def route(req: Request) -> Reply:
        k = next(counter)
        items = [(f"s{i}-{j}", f"https://jobs.example/s{i}/{j}") for j in range(k, k + 3)]
        return Reply(200, rss(items), RSS_HEADERS)

    return route


def test_r24_writer_and_analyst_reader_at_once_on_sqlite(
    server: ScriptedServer, sqlite_url: str, tmp_path: Path, spawn: Callable[..., Proc]
) -> None:
    n = 8
    serve_feeds(server, n, churning)
    cfg = write_config(tmp_path / "jobsift.toml", server.url, n, interval=0.005)  # due every 0.3 s
    open_store(sqlite_url).dispose()
    writer = spawn("--config", str(cfg), "--db", sqlite_url, "worker", "--poll", "0.2")
    reader = make_engine(sqlite_url, readonly=True)
    reads, errors = 0, []
    try:
        writer.wait_line("worker .* started")
        fetched = 0
        while fetched < 3 * n:
            with reader.connect() as conn:
                # One statement is one snapshot: postings are only ever added together with the
                # fetch row that counted them, so the two must agree in every read.
                postings, fetched, new_items = conn.execute(
                    text(
                        "SELECT (SELECT count(*) FROM postings), (SELECT count(*) FROM fetches), "
                        "(SELECT coalesce(sum(new_items), 0) FROM fetches)"
                    )
                ).one()
            reads += 1
            if postings != new_items:
                errors.append((postings, new_items))
            assert writer.popen.poll() is None, writer.output
        assert writer.signal(signal.SIGTERM) == 0, writer.output
    finally:
        reader.dispose()
    assert errors == []
    assert reads > 1
    assert "database is locked" not in writer.output
    engine = open_store(sqlite_url)
    try:
        assert scalar(engine, "SELECT count(*) FROM fetches WHERE outcome NOT IN ('ok', 'partial')") == 0
    finally:
        engine.dispose()


def test_second_worker_on_sqlite_refuses_and_names_postgresql(
    server: ScriptedServer, sqlite_url: str, tmp_path: Path, spawn: Callable[..., Proc]
) -> None:
    serve_feeds(server, 1)
    cfg = write_config(tmp_path / "jobsift.toml", server.url, 1)
    first = spawn("--config", str(cfg), "--db", sqlite_url, "worker")
    first.wait_line("worker .* started")
    second = spawn("--config", str(cfg), "--db", sqlite_url, "worker", "--once")
    assert second.finish() == 1
    assert "already running on this SQLite database" in second.output
    assert "postgresql" in second.output.lower()
    assert first.signal(signal.SIGTERM) == 0
    assert server.hits("/f/0") == 1


def test_r22_sqlite_worker_killed_mid_run_then_restarted_completes_it(
    server: ScriptedServer, sqlite_url: str, tmp_path: Path, spawn: Callable[..., Proc]
) -> None:
    n = 4
    held = threading.Event()
    serve_feeds(
        server, n, lambda i: hold_first(server, i, held) if i % 2 else Reply(200, rss(3, prefix=f"s{i}"), RSS_HEADERS)
    )
    cfg = write_config(tmp_path / "jobsift.toml", server.url, n)
    engine = open_store(sqlite_url)
    try:
        first = spawn("--config", str(cfg), "--db", sqlite_url, "worker")
        wait_db(engine, "SELECT count(*) FROM fetches", lambda v: v == n // 2)  # the even ones are stored
        assert server.wait_for(lambda: len(server.requests) >= n)
        first.signal(signal.SIGKILL)
        held.set()
        again = spawn("--config", str(cfg), "--db", sqlite_url, "worker", "--once")
        assert again.finish() == 0, again.output
        assert "worker done: 2 sources" in again.output
        assert scalar(engine, "PRAGMA integrity_check") == "ok"
        assert scalar(engine, "SELECT status FROM runs ORDER BY id LIMIT 1") == "aborted"
        assert scalar(engine, "SELECT count(*) FROM fetches") == n
        assert scalar(engine, "SELECT count(*) FROM postings") == 3 * n
        assert [server.hits(f"/f/{i}") for i in range(n)] == [1, 2, 1, 2]
    finally:
        engine.dispose()
