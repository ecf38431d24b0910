"""``jobsift schedule``: catch-up after downtime, overlapping triggers, clean SIGTERM, job options."""

from __future__ import annotations

import itertools
import signal
import socket
import subprocess
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text, update

from jobsift.config import SourceConfig, load_config
from jobsift.scheduling.daemon import Daemon
from jobsift.store.db import open_store
from jobsift.store.runs import start_run
from jobsift.store.schema import runs, sources
from jobsift.store.sources import sync_sources
from tests.scheduling.conftest import Proc, feed_route, hold_first, scalar, serve_feeds, write_config
from tests.support.httpserver import ScriptedServer


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_r27_downtime_across_several_triggers_gives_one_catch_up_run(
    server: ScriptedServer, sqlite_url: str, tmp_path: Path, spawn: Callable[..., Proc]
) -> None:
    n = 3
    serve_feeds(server, n)
    cfg_path = write_config(tmp_path / "jobsift.toml", server.url, n, interval=60)
    engine = open_store(sqlite_url)
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:  # last crawled 5 hours ago, then the machine was off
            sync_sources(conn, load_config(cfg_path, env={}).sources)
            conn.execute(
                update(sources).values(next_due_at=now - timedelta(hours=4), last_fetch_at=now - timedelta(hours=5))
            )
            run_id = start_run(conn, now - timedelta(hours=5), "schedule")
            conn.execute(update(runs).where(runs.c.id == run_id).values(worker=f"{socket.gethostname()}:{dead_pid()}"))
        daemon = spawn("--config", str(cfg_path), "--db", sqlite_url, "schedule")
        assert len(daemon.wait_line(r"source s\d: every 60 min, first run .*overdue: catch-up run now", count=n)) == n
        daemon.wait_line(r"source s\d: ok 3 items", count=n)
        assert daemon.signal(signal.SIGTERM) == 0, daemon.output
        assert [server.hits(f"/f/{i}") for i in range(n)] == [1] * n
        assert scalar(engine, "SELECT count(*) FROM runs WHERE trigger = 'schedule' AND status = 'ok'") == n
        assert scalar(engine, "SELECT status FROM runs WHERE id = :i", i=run_id) == "aborted"
        with engine.connect() as conn:
            due = [r[0] for r in conn.execute(text("SELECT next_due_at FROM sources"))]
        assert len(due) == n  # next due one interval after the catch-up, not in the past
        assert (
            scalar(
                engine,
                "SELECT count(*) FROM sources WHERE next_due_at > :t",
                t=(now + timedelta(minutes=59)).replace(tzinfo=None),
            )
            == n
        )
    finally:
        engine.dispose()


def test_r28_trigger_during_a_running_crawl_is_skipped(
    server: ScriptedServer, sqlite_url: str, tmp_path: Path, spawn: Callable[..., Proc]
) -> None:
    held = threading.Event()
    serve_feeds(server, 1, lambda i: hold_first(server, i, held))
    # A trigger every 1.2 s. The held fetch must outlast a second process's cold start, which on a
    # machine busy with other suites can pass the usual 20 s read timeout: give it two minutes.
    cfg_path = write_config(tmp_path / "jobsift.toml", server.url, 1, interval=0.02, read_timeout=120.0)
    engine = open_store(sqlite_url)
    try:
        daemon = spawn("--config", str(cfg_path), "--db", sqlite_url, "schedule")
        assert server.wait_for(lambda: len(server.requests) >= 1)
        daemon.wait_line(r"source:s0: trigger skipped, the previous run is still going")
        # Another process at the same moment: the source is leased, so it does not crawl it either.
        other = spawn("--config", str(cfg_path), "--db", sqlite_url, "worker", "--once")
        assert other.finish() == 0
        assert "worker done: 0 sources" in other.output
        assert server.hits("/f/0") == 1
        held.set()
        daemon.wait_line(r"source s0: ok 3 items")
        assert daemon.signal(signal.SIGTERM) == 0, daemon.output
        assert server.max_in_flight == 1
        with engine.connect() as conn:
            spans = conn.execute(text("SELECT started_at, finished_at FROM runs ORDER BY started_at")).all()
        assert spans
        assert all(a.finished_at <= b.started_at for a, b in itertools.pairwise(spans))
    finally:
        engine.dispose()


def test_sigterm_stops_the_daemon_cleanly_and_marks_the_run(
    server: ScriptedServer, sqlite_url: str, tmp_path: Path, spawn: Callable[..., Proc]
) -> None:
    held = threading.Event()  # never set: s0's fetch is in flight when SIGTERM arrives
    server.route("/f/0", hold_first(server, 0, held))
    server.route("/f/1", feed_route(1))
    cfg_path = write_config(tmp_path / "jobsift.toml", server.url, 2)
    engine = open_store(sqlite_url)
    try:
        daemon = spawn("--config", str(cfg_path), "--db", sqlite_url, "schedule")
        assert server.wait_for(lambda: any(r.path == "/f/0" for r in server.requests))  # (under its lock)
        daemon.wait_line("scheduler .* started")
        assert daemon.signal(signal.SIGTERM, timeout=60) == 0, daemon.output
        assert "SIGTERM received: stopping" in daemon.output
        assert "stopped" in daemon.output.splitlines()[-1]
        assert scalar(engine, "SELECT count(*) FROM runs WHERE status = 'running'") == 0
        assert scalar(engine, "SELECT count(*) FROM runs WHERE status = 'aborted' AND finished_at IS NOT NULL") >= 1
        assert scalar(engine, "SELECT count(*) FROM sources WHERE lease_owner IS NOT NULL") == 0
        assert scalar(engine, "SELECT next_due_at FROM sources WHERE name = 's0'") is None  # still due
    finally:
        engine.dispose()


def test_jobs_are_rebuilt_from_config_with_deliberate_options(tmp_path: Path, sqlite_url: str) -> None:
    cfg = load_config(write_config(tmp_path / "jobsift.toml", "http://127.0.0.1:9", 2, prune_time="00:00"), env={})
    engine = open_store(sqlite_url)
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:  # a source renamed away since the last start, and one not yet due
            sync_sources(conn, [*cfg.sources, SourceConfig(name="old-name", format="rss", url="http://x/")])
            conn.execute(update(sources).where(sources.c.name == "s1").values(next_due_at=now + timedelta(minutes=30)))
        scheduler = AsyncIOScheduler(timezone="UTC")
        Daemon(engine, cfg).build(scheduler, now)
        jobs = {j.id: j for j in scheduler.get_jobs()}
        assert set(jobs) == {"source:s0", "source:s1", "daily:prune"}  # no ghost of old-name
        assert all(j.coalesce and j.max_instances == 1 for j in jobs.values())
        assert jobs["source:s0"].misfire_grace_time == 600  # schedule.misfire_grace_seconds
        assert jobs["daily:prune"].misfire_grace_time == 12 * 3600
        assert jobs["source:s0"].next_run_time == now  # never crawled: now
        assert jobs["source:s1"].next_run_time == now + timedelta(minutes=30)  # the store says when
        assert jobs["daily:prune"].next_run_time == now  # due today and not done: catch up
    finally:
        engine.dispose()
