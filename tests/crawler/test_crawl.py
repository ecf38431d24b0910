"""Whole crawls against loopback feeds: outcomes, health, R02, R08, R09, R12-R14, R16, R21."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from jobsift.config import Config, FetchConfig, SourceConfig
from jobsift.crawler.fetch import Fetcher
from jobsift.crawler.run import Crawl, CrawlReport
from jobsift.store.schema import fetches, postings, sources
from tests.support.crawling import FAST, RSS_HEADERS, Sleeps, config, fast, rss, source
from tests.support.httpserver import (
    Reply,
    ScriptedServer,
    gate,
    gzip_bomb,
    hang,
    huge,
    robots,
    sequence,
    truncated,
)

T0 = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def run(engine: Engine, cfg: Config, now: datetime = T0, names: list[str] | None = None) -> CrawlReport:
    async def go() -> CrawlReport:
        async with Fetcher(cfg.fetch, sleep=Sleeps()) as fetcher:
            crawl = Crawl(engine, cfg, now=lambda: now, fetcher=fetcher)
            selected = [s for s in cfg.sources if names is None or s.name in names]
            return await crawl.run(selected)

    return asyncio.run(go())


def outcomes(report: CrawlReport) -> dict[str, tuple[str, str | None]]:
    return {o.name: (o.outcome, o.reason) for o in report.outcomes}


def count(engine: Engine, src: str) -> int:
    with engine.connect() as conn:
        q = select(func.count()).select_from(postings).where(postings.c.source == src)
        return int(conn.execute(q).scalar_one())


def source_row(engine: Engine, name: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(sources).where(sources.c.name == name)).one()


def one_source(
    server: ScriptedServer, route: Reply | Callable[..., Any], fetch: FetchConfig = FAST, **kw: Any
) -> tuple[Config, SourceConfig]:
    server.route("/feed", route)
    src = source("one", server.url + "/feed", **kw)
    return config([src], fetch), src


def test_a_failing_source_never_stops_the_others(server: ScriptedServer, engine: Engine) -> None:
    server.route("/robots.txt", robots("User-agent: *\nDisallow: /private\n"))
    server.route("/good", Reply(200, rss(5), RSS_HEADERS))
    server.route("/good2", Reply(200, rss(3, prefix="other"), RSS_HEADERS))
    server.route("/e500", Reply(500, b"boom"))
    server.route("/e404", Reply(404, b"nope"))
    server.route("/hang", hang(server))
    server.route("/bomb", gzip_bomb(5_000_000))
    server.route("/cut", truncated(rss(30), send=400))
    server.route("/private", Reply(200, rss(2)))
    server.route("/garbage", Reply(200, b"\x00\x01 this is not a feed at all", RSS_HEADERS))
    names = ["good", "good2", "e500", "e404", "hang", "bomb", "cut", "private", "garbage"]
    cfg = config([source(n, f"{server.url}/{n}") for n in names], fast(retries=2, read_timeout=0.4))
    report = run(engine, cfg)
    got = outcomes(report)
    assert got["good"] == ("ok", None)
    assert got["good2"] == ("ok", None)
    assert count(engine, "good") == 5
    assert count(engine, "good2") == 3
    expected = {
        "e500": "http_500",
        "e404": "http_404",
        "hang": "timeout",
        "bomb": "too_large",
        "cut": "truncated",
        "garbage": "",
    }
    for name, code in expected.items():
        assert got[name][0] == "failed", (name, got[name])
        assert code in (got[name][1] or "")
        assert count(engine, name) == 0
    assert got["private"][0] == "blocked"
    assert "blocked_by_robots" in (got["private"][1] or "")
    assert server.hits("/private") == 0
    assert report.status == "partial"
    with engine.connect() as conn:
        rows = {r.name: r for r in conn.execute(select(sources))}
        logged = {r.source_id: r for r in conn.execute(select(fetches).where(fetches.c.run_id == report.run_id))}
    assert len(logged) == len(names)
    for name in expected:
        row = rows[name]
        assert row.last_outcome == "failed"
        assert row.consecutive_failures == 1
        assert row.last_error
        assert "\n" not in row.last_error
        assert logged[row.id].outcome == "failed"
        assert logged[row.id].reason == row.last_error
    assert rows["good"].last_items == 5
    assert rows["good"].last_error is None
    assert rows["good"].last_success_at is not None


def test_r02_long_retry_after_defers_the_source(server: ScriptedServer, sqlite_engine: Engine) -> None:
    cfg, _ = one_source(server, Reply(429, b"slow down", {"Retry-After": "7200"}))
    report = run(sqlite_engine, cfg)
    assert outcomes(report)["one"][0] == "deferred"
    assert server.hits("/feed") == 1
    row = source_row(sqlite_engine, "one")
    assert row.last_outcome == "deferred"
    assert row.next_due_at == T0 + timedelta(seconds=7200)


def test_r03_500_every_time_marks_the_source_failed(server: ScriptedServer, sqlite_engine: Engine) -> None:
    cfg, _ = one_source(server, Reply(500, b"boom"), fast(retries=3))
    report = run(sqlite_engine, cfg)
    outcome, reason = outcomes(report)["one"]
    assert outcome == "failed"
    assert "gave up after 3 attempts" in (reason or "")
    assert server.hits("/feed") == 3
    assert report.status == "failed"


def test_r08_robots_unavailable_defers_the_host(server: ScriptedServer, sqlite_engine: Engine) -> None:
    server.route("/robots.txt", Reply(503, b"down"))
    cfg, _ = one_source(server, Reply(200, rss(3)))
    outcome, reason = outcomes(run(sqlite_engine, cfg))["one"]
    assert outcome == "deferred"
    assert "robots_unavailable" in (reason or "")
    assert server.hits("/feed") == 0


def test_r09_second_run_is_conditional_and_304_keeps_postings_fresh(server: ScriptedServer, engine: Engine) -> None:
    etag, modified = '"v1"', "Sun, 22 Nov 2026 05:00:00 GMT"

    def feed(req: Any) -> Reply:
        if req.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return Reply(200, rss(4), {**RSS_HEADERS, "ETag": etag, "Last-Modified": modified})

    cfg, _ = one_source(server, feed)
    assert outcomes(run(engine, cfg, T0))["one"][0] == "ok"
    later = T0 + timedelta(hours=1)
    report = run(engine, cfg, later)
    assert outcomes(report)["one"] == ("not_modified", None)
    second = server.requests_to("/feed")[1]
    assert second.headers["if-none-match"] == etag
    assert second.headers["if-modified-since"] == modified
    with engine.connect() as conn:
        seen = conn.execute(select(postings.c.last_seen_at, postings.c.first_seen_at, postings.c.gone_at)).all()
        fetch = conn.execute(select(fetches).where(fetches.c.run_id == report.run_id)).one()
    assert len(seen) == 4
    assert all(r.last_seen_at == later and r.first_seen_at == T0 and r.gone_at is None for r in seen)
    assert fetch.outcome == "not_modified"
    assert fetch.items is None
    assert source_row(engine, "one").last_items == 4


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><link>https://x.example/1</link>
</item></channel></rss>"""


def xxe(url: str) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY remote SYSTEM "{url}"><!ENTITY local SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title><item><title>Job &local;</title>
<link>https://x.example/2</link><description>&remote;</description></item></channel></rss>""".encode()


def test_r12_r13_hostile_xml_fails_alone_and_fetches_nothing(server: ScriptedServer, engine: Engine) -> None:
    server.route("/good", Reply(200, rss(3), RSS_HEADERS))
    server.route("/lol", Reply(200, BILLION_LAUGHS, RSS_HEADERS))
    server.route("/xxe", Reply(200, xxe(server.url + "/secret"), RSS_HEADERS))
    server.route("/secret", Reply(200, b"TOP SECRET"))
    cfg = config([source(n, f"{server.url}/{n}") for n in ("good", "lol", "xxe")])
    got = outcomes(run(engine, cfg))
    assert got["good"] == ("ok", None)
    assert count(engine, "good") == 3
    for name in ("lol", "xxe"):
        assert got[name][0] == "failed", got[name]
        assert "hostile_xml" in (got[name][1] or ""), got[name]
        assert count(engine, name) == 0
    assert server.hits("/secret") == 0
    with engine.connect() as conn:
        texts = " ".join(str(r) for r in conn.execute(select(postings.c.title, postings.c.description_text)))
    assert "root:" not in texts
    assert "TOP SECRET" not in texts


def test_r14_malformed_feed_is_partial_with_entries_salvaged(server: ScriptedServer, sqlite_engine: Engine) -> None:
    broken = rss(6).replace(b"Job job-2</title>", b"Job job-2 & sons</title>").replace(b"</channel></rss>", b"")
    cfg, _ = one_source(server, Reply(200, broken, RSS_HEADERS))
    outcome, reason = outcomes(run(sqlite_engine, cfg))["one"]
    assert outcome == "partial"
    assert reason
    assert count(sqlite_engine, "one") >= 5


def test_r16_empty_or_shrunken_feed_never_marks_postings_gone(server: ScriptedServer, engine: Engine) -> None:
    state = {"body": rss(50)}
    cfg, _ = one_source(server, lambda _r: Reply(200, state["body"], RSS_HEADERS))
    assert outcomes(run(engine, cfg, T0))["one"][0] == "ok"
    for i, body in enumerate([rss(0), rss(10), b"", b"<html><body>We moved!</body></html>"], start=1):
        state["body"] = body
        outcome, reason = outcomes(run(engine, cfg, T0 + timedelta(hours=i)))["one"]
        assert outcome in ("partial", "failed"), (i, outcome)
        assert reason
        with engine.connect() as conn:
            gone = conn.execute(select(func.count()).select_from(postings).where(postings.c.gone_at.isnot(None)))
            assert gone.scalar_one() == 0
    assert count(engine, "one") == 50
    assert source_row(engine, "one").last_outcome in ("partial", "failed")


def test_healthy_full_feed_marks_missing_postings_gone(server: ScriptedServer, sqlite_engine: Engine) -> None:
    state = {"body": rss(10)}
    cfg, _ = one_source(server, lambda _r: Reply(200, state["body"], RSS_HEADERS))
    run(sqlite_engine, cfg, T0)
    state["body"] = rss(8)
    report = run(sqlite_engine, cfg, T0 + timedelta(hours=1))
    assert report.outcomes[0].outcome == "ok"
    assert report.outcomes[0].gone == 2


def test_r21_same_feed_twice_and_tracking_variants_are_one_row(server: ScriptedServer, engine: Engine) -> None:
    plain = [("", f"https://jobs.example/job/{i}") for i in range(5)]
    tracked = [("", f"https://jobs.example/job/{i}?utm_source=x&utm_medium=rss") for i in range(5)]
    state = {"body": rss(plain + plain[:2])}  # two repeats inside one feed
    cfg, _ = one_source(server, lambda _r: Reply(200, state["body"], RSS_HEADERS))
    run(engine, cfg, T0)
    run(engine, cfg, T0 + timedelta(hours=1))
    state["body"] = rss(tracked)
    run(engine, cfg, T0 + timedelta(hours=2))
    assert count(engine, "one") == 5
    with engine.connect() as conn:
        rows = conn.execute(select(postings.c.first_seen_at, postings.c.seen_count)).all()
    assert {r.first_seen_at for r in rows} == {T0}
    assert {r.seen_count for r in rows} == {3}


def test_sources_are_fetched_concurrently_but_bounded(server: ScriptedServer, sqlite_engine: Engine) -> None:
    # Generous timeouts: with a correct cap of 3 the requests meet at once; the waits only run out
    # when fewer are allowed in flight (then the assertion reports it). A loaded machine must not
    # turn a slow start of the second round into a read timeout.
    server.route("/feed", gate(server, Reply(200, rss(1), RSS_HEADERS), until=3, timeout=15.0, total=6))
    srcs = [source(f"s{i}", f"{server.url}/feed?n={i}") for i in range(6)]  # two full rounds of 3
    cfg = config(srcs, fast(concurrency=3, per_host_concurrency=10, read_timeout=30.0, total_timeout=60.0))
    report = run(sqlite_engine, cfg)
    assert {o.outcome for o in report.outcomes} == {"ok"}
    assert server.max_in_flight == 3


def test_run_outcome_and_stats_are_recorded(server: ScriptedServer, sqlite_engine: Engine) -> None:
    cfg, _ = one_source(server, Reply(200, rss(2), RSS_HEADERS))
    report = run(sqlite_engine, cfg)
    assert report.status == "ok"
    assert report.stats["source/ok"] == 1
    assert report.stats["store/new"] == 2
    assert report.stats["fetch/attempts"] == 1


def test_r01_retry_after_then_200_is_stored_once(server: ScriptedServer, engine: Engine) -> None:
    server.route("/feed", sequence([Reply(503, b"busy", {"Retry-After": "1"}), Reply(200, rss(3), RSS_HEADERS)]))
    cfg = config([source("one", server.url + "/feed")])
    report = run(engine, cfg)
    assert outcomes(report)["one"] == ("ok", None)
    assert server.hits("/feed") == 2
    assert count(engine, "one") == 3
    with engine.connect() as conn:
        stats = conn.execute(select(fetches.c.stats).where(fetches.c.run_id == report.run_id)).scalar_one()
    assert stats["fetch/retries"] == 1
    assert stats["fetch/retryable/http_503"] == 1


@pytest.mark.parametrize("broken", ["truncated", "huge", "hang"])
def test_r05_r07_broken_fetch_keeps_stored_postings(server: ScriptedServer, sqlite_engine: Engine, broken: str) -> None:
    state: dict[str, Any] = {"route": Reply(200, rss(30), RSS_HEADERS)}
    server.route("/feed", lambda req: state["route"](req) if callable(state["route"]) else state["route"])
    cfg = config([source("one", server.url + "/feed")], fast(retries=2, read_timeout=0.4, max_bytes=100_000))
    assert outcomes(run(sqlite_engine, cfg, T0))["one"][0] == "ok"
    state["route"] = {
        "truncated": truncated(rss(30), send=700),
        "huge": huge(5_000_000, with_length=False),
        "hang": hang(server),
    }[broken]
    outcome, reason = outcomes(run(sqlite_engine, cfg, T0 + timedelta(hours=1)))["one"]
    assert outcome == "failed"
    assert {"truncated": "truncated", "huge": "too_large", "hang": "timeout"}[broken] in (reason or "")
    with sqlite_engine.connect() as conn:
        rows = conn.execute(select(postings.c.gone_at, postings.c.last_seen_at)).all()
    assert len(rows) == 30
    assert all(r.gone_at is None and r.last_seen_at == T0 for r in rows)


def test_r16_a_shrink_confirmed_by_two_crawls_is_the_new_normal(server: ScriptedServer, sqlite_engine: Engine) -> None:
    state = {"body": rss(20)}
    cfg, _ = one_source(server, lambda _r: Reply(200, state["body"], RSS_HEADERS))
    run(sqlite_engine, cfg, T0)
    state["body"] = rss(5)
    first = run(sqlite_engine, cfg, T0 + timedelta(hours=1)).outcomes[0]
    second = run(sqlite_engine, cfg, T0 + timedelta(hours=2)).outcomes[0]
    assert (first.outcome, first.gone) == ("partial", 0)
    assert "layout change" in (first.reason or "")
    assert (second.outcome, second.gone) == ("ok", 15)
