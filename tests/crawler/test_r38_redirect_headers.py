"""R38: configured source headers never follow a redirect to another origin (host, port or scheme)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from jobsift.crawler.http_values import origin
from jobsift.crawler.run import crawl
from tests.support.crawling import RSS_HEADERS, config, rss, source
from tests.support.httpserver import Reply, ScriptedServer, redirect_to

SECRET = {"X-Api-Key": "k-93c1-never-elsewhere", "X-Tenant": "acme", "Accept": "application/rss+xml"}


@pytest.fixture
def other() -> Iterator[ScriptedServer]:
    srv = ScriptedServer()
    try:
        yield srv
    finally:
        srv.close()


def _serve(server: ScriptedServer, other: ScriptedServer) -> None:
    for srv in (server, other):
        srv.route("/robots.txt", Reply(404))
    server.route("/feed", redirect_to(other.url + "/moved"))
    other.route("/moved", Reply(200, rss(3), RSS_HEADERS))


def test_r38_configured_headers_are_dropped_on_a_redirect_to_another_port(
    sqlite_engine: Engine, server: ScriptedServer, other: ScriptedServer
) -> None:
    assert origin(server.url) != origin(other.url)  # same host, another port
    _serve(server, other)
    report = crawl(sqlite_engine, config([source("moved", server.url + "/feed", options={"headers": SECRET})]))
    assert [o.outcome for o in report.outcomes] == ["ok"]
    (first,) = server.requests_to("/feed")
    assert first.headers.get("x-api-key") == SECRET["X-Api-Key"]  # the source's own origin gets them
    (moved,) = other.requests_to("/moved")
    for name, value in SECRET.items():
        assert moved.headers.get(name.lower()) != value, name  # (httpx sends its own Accept: */*)


def test_r38_a_source_can_let_named_headers_follow(
    sqlite_engine: Engine, server: ScriptedServer, other: ScriptedServer
) -> None:
    _serve(server, other)
    opts = {"headers": SECRET, "keep_headers_on_redirect": ["accept", "Authorization"]}
    crawl(sqlite_engine, config([source("moved", server.url + "/feed", options=opts)]))
    (moved,) = other.requests_to("/moved")
    assert moved.headers.get("accept") == "application/rss+xml"
    assert "x-api-key" not in moved.headers
    assert "x-tenant" not in moved.headers


def test_r38_same_origin_redirect_keeps_the_headers(sqlite_engine: Engine, server: ScriptedServer) -> None:
    server.route("/robots.txt", Reply(404))
    server.route("/feed", redirect_to("/moved"))
    server.route("/moved", Reply(200, rss(3), RSS_HEADERS))
    crawl(sqlite_engine, config([source("here", server.url + "/feed", options={"headers": SECRET})]))
    (moved,) = server.requests_to("/moved")
    assert moved.headers.get("x-api-key") == SECRET["X-Api-Key"]


def test_r38_keep_headers_on_redirect_must_be_a_list(sqlite_engine: Engine, server: ScriptedServer) -> None:
    server.route("/robots.txt", Reply(404))
    server.route("/feed", Reply(200, rss(1), RSS_HEADERS))
    src = source("bad", server.url + "/feed", options={"keep_headers_on_redirect": "Accept"})
    report = crawl(sqlite_engine, config([src]))
    assert report.outcomes[0].outcome == "failed"
    assert "keep_headers_on_redirect: expected a list" in (report.outcomes[0].reason or "")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("http://h.example/x", "http://h.example:80/y", True),
        ("https://h.example/x", "https://H.EXAMPLE:443/y", True),
        ("https://h.example/x", "http://h.example/x", False),
        ("http://h.example/x", "http://h.example:8080/x", False),
        ("http://h.example/x", "http://other.example/x", False),
        ("http://u:p@h.example/x", "http://h.example/x", True),
    ],
)
def test_r38_origin_is_scheme_host_and_port(a: str, b: str, same: bool) -> None:
    assert (origin(a) == origin(b)) is same
