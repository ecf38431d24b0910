"""R22: a `jobsift crawl` killed with SIGKILL mid-run leaves a sound store and is completed next run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from jobsift.config import load_config
from jobsift.crawler.run import crawl
from jobsift.store.db import open_store
from jobsift.store.schema import fetches, postings, runs, sources
from tests.support.crawling import RSS_HEADERS, rss
from tests.support.httpserver import Reply, ScriptedServer, hang

ROOT = Path(__file__).resolve().parents[2]
GOOD, STUCK, ITEMS = 4, 3, 30


def write_config(path: Path, db_url: str, base: str) -> None:
    lines = [
        "[database]",
        f'url = "{db_url}"',
        "",
        "[fetch]",
        "read_timeout = 60",
        "total_timeout = 120",
        "retries = 1",
        "per_host_delay = 0",
        "per_host_concurrency = 20",
        "concurrency = 10",
        "",
    ]
    for kind, n in (("good", GOOD), ("stuck", STUCK)):
        for i in range(n):
            lines += ["[[sources]]", f'name = "{kind}{i}"', 'format = "rss"', f'url = "{base}/{kind}{i}"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def per_source_counts(engine: Any) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(postings.c.source, func.count()).group_by(postings.c.source)).all())


def test_r22_sigkill_mid_run_leaves_no_partial_batch(server: ScriptedServer, db_url: str, tmp_path: Path) -> None:
    for i in range(GOOD):
        server.route(f"/good{i}", Reply(200, rss(ITEMS, prefix=f"good{i}"), RSS_HEADERS))
    for i in range(STUCK):
        server.route(f"/stuck{i}", hang(server))
    cfg_path = tmp_path / "jobsift.toml"
    write_config(cfg_path, db_url, server.url)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("JOBSIFT_CONFIG", None)
    env.pop("JOBSIFT_DB", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from jobsift.cli import main; main()",
            "--config",
            str(cfg_path),
            "crawl",
            "--no-score",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The kill lands while the stuck sources are waiting on the server: mid-run by construction.
        assert server.wait_for(
            lambda: all(any(r.path == f"/stuck{i}" for r in server.requests) for i in range(STUCK)), 90
        ), "the crawl never reached the stuck sources"
    finally:
        proc.kill()
        proc.wait(30)
    assert proc.returncode == -9

    engine = open_store(db_url)
    try:
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        with engine.connect() as conn:
            (killed,) = conn.execute(select(runs.c.id, runs.c.status)).all()
            assert killed.status == "running"
            logged = {
                r.name
                for r in conn.execute(
                    select(sources.c.name)
                    .join(fetches, fetches.c.source_id == sources.c.id)
                    .where(fetches.c.run_id == killed.id)
                )
            }
        counts = per_source_counts(engine)
        for name, n in counts.items():  # all or nothing per source, and only with its fetch row
            assert n == ITEMS, (name, n)
            assert name in logged
        assert not any(name.startswith("stuck") for name in counts)

        for i in range(STUCK):
            server.route(f"/stuck{i}", Reply(200, rss(ITEMS, prefix=f"stuck{i}"), RSS_HEADERS))
        cfg = load_config(cfg_path, env={})
        report = crawl(engine, cfg)
        assert report.status == "ok"
        with engine.connect() as conn:
            statuses = dict(conn.execute(select(runs.c.id, runs.c.status)).all())
        assert statuses[killed.id] == "aborted"
        assert statuses[report.run_id] == "ok"
        assert per_source_counts(engine) == {
            **{f"good{i}": ITEMS for i in range(GOOD)},
            **{f"stuck{i}": ITEMS for i in range(STUCK)},
        }
    finally:
        engine.dispose()
