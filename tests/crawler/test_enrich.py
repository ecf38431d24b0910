"""Detail-page enrichment: client fields filled from each posting's own page, politely and capped."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from jobsift.crawler import browser
from jobsift.crawler.enrich import convert, detail_options, extract_client
from jobsift.crawler.run import crawl
from jobsift.errors import ConfigError
from jobsift.model import Client, Posting
from jobsift.store.clients import CLIENT_STATS, stats_hash
from jobsift.store.postings import upsert_postings
from jobsift.store.schema import client_snapshots, clients, postings
from tests.support.crawling import RSS_HEADERS, config, fast, rss, source
from tests.support.httpserver import Reply, ScriptedServer, robots

HTML = {"Content-Type": "text/html; charset=utf-8"}
SELECTORS = {
    "payment_verified": ".client .payment",
    "total_spent": ".client .spent",
    "jobs_posted": ".client .jobs",
    "hire_rate": ".client .hires",
    "country": ".client .country",
    "member_since": ".client time@datetime",
}


def detail_page(verified: str, spent: str, jobs: str = "14 jobs posted", hires: str = "80% hire rate") -> Reply:
    return Reply(
        200,
        f"""<html><body><h1>Job</h1><aside class="client">
<span class="payment">{verified}</span><span class="spent">{spent} spent</span><span class="jobs">{jobs}</span>
<span class="hires">{hires}</span><span class="country">Portugal</span>
<span>Member since <time datetime="2021-03-03T00:00:00Z">Mar 2021</time></span></aside></body></html>""".encode(),
        HTML,
    )


def feed_of(server: ScriptedServer, n: int) -> bytes:
    return rss([(f"g{i}", f"{server.url}/job/{i}") for i in range(n)])


def stored(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(postings.c.external_id, postings.c.needs_scoring, clients).select_from(
                postings.outerjoin(clients, clients.c.id == postings.c.client_id)
            )
        ).all()
    return {r.external_id: r for r in rows}


def test_detail_pages_fill_missing_client_fields(server: ScriptedServer, engine: Engine) -> None:
    server.route("/feed", Reply(200, feed_of(server, 3), RSS_HEADERS))
    server.route("/job/0", detail_page("Payment verified", "$12.5K"))
    server.route("/job/1", detail_page("Payment method not verified", "$0"))
    server.route("/job/2", Reply(404, b"gone"))
    src = source("board", server.url + "/feed", options={"detail": {"selectors": SELECTORS}})
    report = crawl(engine, config([src], fast()))
    (out,) = report.outcomes
    assert out.outcome == "ok"
    assert out.items == 3
    assert any("http_404" in w for w in out.warnings)
    assert report.stats["enrich/filled"] == 2
    assert report.stats["enrich/failed/http_404"] == 1
    assert server.hits("/job/2") == 1  # a 404 detail page is not retried
    rows = stored(engine)
    a, b = rows["g0"], rows["g1"]
    assert (a.payment_verified, a.total_spent, a.jobs_posted, a.hire_rate, a.country) == (
        True,
        12500.0,
        14,
        0.8,
        "Portugal",
    )
    assert a.member_since == datetime(2021, 3, 3, tzinfo=UTC)
    assert (b.payment_verified, b.total_spent) == (False, 0.0)
    assert rows["g2"].id is None  # unknown stays unknown
    assert a.needs_scoring is True

    crawl(engine, config([src], fast()))  # known clients are not visited again
    assert server.hits("/job/0") == 1
    assert server.hits("/job/1") == 1
    assert server.hits("/job/2") == 2


def test_enrichment_of_a_known_client_snapshots_the_new_stats(server: ScriptedServer, engine: Engine) -> None:
    """The client-snapshot invariant on the enrichment path: new stats leave a snapshot, the hash follows."""
    server.route("/feed", Reply(200, feed_of(server, 1), RSS_HEADERS))
    server.route("/job/0", detail_page("Payment verified", "$12.5K"))
    known = Posting("board", "g0", f"{server.url}/job/0", "Job g0", client=Client(key="c9", name="Acme"))
    with engine.begin() as conn:  # a client the feed named once, with no stats
        upsert_postings(conn, "board", [known], datetime(2026, 11, 1, tzinfo=UTC))
    src = source("board", server.url + "/feed", options={"detail": {"selectors": SELECTORS}})
    report = crawl(engine, config([src], fast()))
    assert report.stats["enrich/filled"] == 1
    with engine.connect() as conn:
        client = conn.execute(select(clients).where(clients.c.client_key == "c9")).one()
        snaps = conn.execute(
            select(client_snapshots).where(client_snapshots.c.client_id == client.id).order_by(client_snapshots.c.id)
        ).all()
    assert len(snaps) == 2  # the first sight, then what the detail page said
    newest = {k: getattr(snaps[-1], k) for k in CLIENT_STATS}
    assert newest == {k: getattr(client, k) for k in CLIENT_STATS}
    assert (newest["payment_verified"], newest["total_spent"], newest["jobs_posted"]) == (True, 12500.0, 14)
    assert client.stats_hash == stats_hash(Client(**newest))
    assert client.name == "Acme"  # known values stay

    crawl(engine, config([src], fast()))  # nothing changed: no new snapshot
    with engine.connect() as conn:
        again = conn.execute(select(client_snapshots).where(client_snapshots.c.client_id == client.id)).all()
    assert len(again) == 2


def test_enrichment_is_capped_per_run_and_obeys_robots(server: ScriptedServer, sqlite_engine: Engine) -> None:
    server.route("/robots.txt", robots("User-agent: *\nDisallow: /job/4\n"))
    server.route("/feed", Reply(200, feed_of(server, 5), RSS_HEADERS))
    for i in range(5):
        server.route(f"/job/{i}", detail_page("Payment verified", "$1,000"))
    src = source("board", server.url + "/feed", options={"detail": {"selectors": SELECTORS, "max_per_run": 2}})
    report = crawl(sqlite_engine, config([src], fast()))
    assert report.stats["enrich/pages"] == 2
    assert sum(server.hits(f"/job/{i}") for i in range(5)) == 1  # newest first: job/4 is robots-blocked
    assert server.hits("/job/4") == 0
    assert report.stats["enrich/failed/blocked_by_robots"] == 1


def test_detail_options_are_validated_before_the_crawl(server: ScriptedServer, sqlite_engine: Engine) -> None:
    for bad, key in (
        ({"selectors": {"salary": ".x"}}, "selectors.salary"),
        ({"selector": {}}, "selector"),
        ({"selectors": {"country": "[[["}}, "selectors.country"),
        ("css", "detail"),
    ):
        src = source("board", server.url + "/feed", options={"detail": bad})
        with pytest.raises(ConfigError) as info:
            crawl(sqlite_engine, config([src], fast()))
        assert key in str(info.value)
    assert server.requests == []


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("bool", "Payment verified", True),
        ("bool", "Payment unverified", False),
        ("bool", "Unknown", None),
        ("money", "$1.2M total spent", 1_200_000.0),
        ("money", "none", None),
        ("int", "1,204 reviews", 1204),
        ("ratio", "75%", 0.75),
        ("ratio", "0.4", 0.4),
        ("float", "4.9 of 5", 4.9),
    ],
)
def test_values_are_converted_per_field(kind: str, text: str, expected: object) -> None:
    assert convert(kind, text) == expected


def test_extract_client_reads_text_and_attributes() -> None:
    page = b"<div><b class='n' title='Acme Ltd'>ACME</b><i class='r'>4.5 stars</i></div>"
    client = extract_client(
        page, detail_options({"selectors": {"name": "b.n@title", "rating": "i.r", "country": ".missing"}}).selectors
    )
    assert (client.name, client.rating, client.country) == ("Acme Ltd", 4.5, None)


@pytest.mark.skipif(
    not Path(browser.chromium_path()).exists() and not shutil.which("chromium"), reason="Chromium is not installed"
)
def test_detail_pages_through_the_browser(
    server: ScriptedServer, sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browser, "PROFILE_ROOT", tmp_path)
    server.route("/feed", Reply(200, feed_of(server, 2), RSS_HEADERS))
    js_page = Reply(
        200,
        b"""<html><body><div class="client"></div><script>
document.querySelector('.client').innerHTML = '<span class="payment">Payment verified</span>' +
  '<span class="spent">$3k spent</span>';</script></body></html>""",
        HTML,
    )
    server.route("/job/0", js_page)
    server.route("/job/1", js_page)
    src = source(
        "board",
        server.url + "/feed",
        options={"detail": {"selectors": SELECTORS, "browser": True, "wait_for": ".client .payment"}},
    )
    report = crawl(sqlite_engine, config([src], fast(total_timeout=20.0)))
    assert report.stats["enrich/filled"] == 2
    assert report.stats["browser/pages"] == 2
    rows = stored(sqlite_engine)
    assert {(r.payment_verified, r.total_spent) for r in rows.values()} == {(True, 3000.0)}
    assert browser.processes_using(str(tmp_path)) == []
