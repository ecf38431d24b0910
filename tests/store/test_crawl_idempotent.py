"""A second crawl of the same feed adds no duplicate postings, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Engine, func, select

from jobsift.config import Config, FetchConfig, SourceConfig
from jobsift.crawler.run import crawl
from jobsift.store.schema import fetches, postings, runs
from tests.support.httpserver import Reply, ScriptedServer

ITEMS = "".join(
    f"<item><title>Job {i}</title><link>https://x.test/{i}?utm_medium=feed</link>"
    f"<description>Role number {i}</description></item>"
    for i in range(30)
)
FEED = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{ITEMS}</channel></rss>'.encode()


def test_second_crawl_adds_no_duplicates(engine: Engine, server: ScriptedServer) -> None:
    server.route("/robots.txt", Reply(404))
    server.route("/feed", Reply(200, FEED))
    cfg = replace(
        Config(),
        fetch=FetchConfig(per_host_delay=0.0),
        sources=[SourceConfig(name="board", format="rss", url=f"{server.url}/feed")],
    )
    first = crawl(engine, cfg)
    second = crawl(engine, cfg)
    assert (first.status, second.status) == ("ok", "ok")
    assert (first.new, second.new) == (30, 0)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(postings)).scalar_one() == 30
        assert conn.execute(select(func.max(postings.c.seen_count))).scalar_one() == 2
        assert conn.execute(select(func.count()).select_from(fetches)).scalar_one() == 2
        assert [r.status for r in conn.execute(select(runs.c.status).order_by(runs.c.id))] == ["ok", "ok"]
