"""Fetching against a scripted loopback server: R01-R07, R11 and the honest User-Agent."""

from __future__ import annotations

import asyncio
import gzip
from typing import Any

import pytest

from jobsift.config import FetchConfig
from jobsift.config.sections import USER_AGENT
from jobsift.crawler.decoding import CHUNK, Decoder
from jobsift.crawler.fetch import Fetcher, FetchResult
from jobsift.crawler.http_values import parse_retry_after
from jobsift.errors import (
    DeferredError,
    FetchError,
    PermanentFetchError,
    RetryableFetchError,
)
from tests.support.crawling import FAST, RSS_HEADERS, Sleeps, fast, rss
from tests.support.httpserver import (
    Reply,
    ScriptedServer,
    gzip_bomb,
    hang,
    huge,
    redirect_to,
    sequence,
    stall_after_headers,
    truncated,
)

FEED = rss(3)


def get(url: str, cfg: FetchConfig = FAST, sleeps: Sleeps | None = None, **kw: Any) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(cfg, sleep=sleeps or Sleeps(), jitter=lambda: 0.5) as f:
            return await f.fetch(url, **kw)

    return asyncio.run(go())


def fails(url: str, cfg: FetchConfig = FAST, sleeps: Sleeps | None = None) -> FetchError:
    with pytest.raises(FetchError) as info:
        get(url, cfg, sleeps)
    return info.value


def test_honest_user_agent_names_jobsift_and_a_contact_url(server: ScriptedServer) -> None:
    server.route("/feed", Reply(200, FEED, RSS_HEADERS))
    get(server.url + "/feed")
    (req,) = server.requests_to("/feed")
    assert req.headers["user-agent"] == USER_AGENT
    assert "jobsift" in USER_AGENT
    assert "https://" in USER_AGENT
    assert server.requests_to("/robots.txt")[0].headers["user-agent"] == USER_AGENT


@pytest.mark.parametrize("status", [503, 429])
def test_r01_retry_after_then_200_is_retried_with_the_delay(server: ScriptedServer, status: int) -> None:
    server.route("/feed", sequence([Reply(status, b"busy", {"Retry-After": "1"}), Reply(200, FEED, RSS_HEADERS)]))
    sleeps = Sleeps()
    result = get(server.url + "/feed", sleeps=sleeps)
    assert result.status == 200
    assert result.body == FEED
    assert result.attempts == 2
    assert server.hits("/feed") == 2
    assert sleeps.delays == [1.0]  # Retry-After wins over the (tiny) backoff
    assert result.stats[f"fetch/retryable/http_{status}"] == 1


def test_r01_backoff_is_exponential_capped_and_jittered(server: ScriptedServer) -> None:
    cfg = fast(retries=5, backoff_base=1.0, backoff_max=3.0)
    for jitter, expected in ((0.0, [0.5, 1.0, 1.5, 1.5]), (0.999, [1.499, 2.998, 4.497, 4.497])):
        server.route("/feed", Reply(503, b"down"))
        sleeps = Sleeps()

        async def go(j: float = jitter, s: Sleeps = sleeps) -> None:
            async with Fetcher(cfg, sleep=s, jitter=lambda: j) as f:
                with pytest.raises(RetryableFetchError):
                    await f.fetch(server.url + "/feed")

        asyncio.run(go())
        assert sleeps.delays == pytest.approx(expected)


def test_r02_retry_after_beyond_the_cap_defers_without_sleeping(server: ScriptedServer) -> None:
    server.route("/feed", Reply(503, b"later", {"Retry-After": "3600"}))
    sleeps = Sleeps()
    err = fails(server.url + "/feed", sleeps=sleeps)
    assert isinstance(err, DeferredError)
    assert err.retry_after == 3600
    assert "deferred" in str(err)
    assert sleeps.delays == []
    assert server.hits("/feed") == 1


def test_retry_after_http_date_is_understood() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
    assert parse_retry_after("Sun, 22 Nov 2026 06:02:00 GMT", now) == 120
    assert parse_retry_after("soon", now) is None


def test_r03_500_every_time_gives_up_after_n_tries(server: ScriptedServer) -> None:
    server.route("/feed", Reply(500, b"boom"))
    err = fails(server.url + "/feed", fast(retries=3))
    assert isinstance(err, RetryableFetchError)
    assert err.reason == "http_500"
    assert "gave up after 3 attempts" in str(err)
    assert server.hits("/feed") == 3


@pytest.mark.parametrize("status", [404, 410, 403])
def test_r03_client_errors_are_not_retried(server: ScriptedServer, status: int) -> None:
    server.route("/job/1", Reply(status, b"gone"))
    err = fails(server.url + "/job/1")
    assert isinstance(err, PermanentFetchError)
    assert err.reason == f"http_{status}"
    assert server.hits("/job/1") == 1


def test_r04_server_that_never_answers_times_out_is_retried_and_given_up(server: ScriptedServer) -> None:
    server.route("/feed", hang(server))
    err = fails(server.url + "/feed", fast(retries=2, read_timeout=0.2))
    assert err.reason == "timeout"
    assert "gave up after 2 attempts" in str(err)
    assert server.hits("/feed") == 2


def test_r04_server_stalling_after_headers_times_out(server: ScriptedServer) -> None:
    server.route("/feed", stall_after_headers(server))
    err = fails(server.url + "/feed", fast(retries=2, read_timeout=0.2))
    assert err.reason == "timeout"
    assert server.hits("/feed") == 2


def test_r04_total_timeout_bounds_a_trickling_server(server: ScriptedServer) -> None:
    def trickle(req: Any) -> None:
        h = req.handler
        h.send_response(200)
        h.send_header("Content-Length", "100000")
        h.end_headers()
        for _ in range(200):  # one byte every 50 ms: only the total timeout can end it
            if server.release.wait(0.05):
                return
            try:
                h.wfile.write(b" ")
                h.wfile.flush()
            except OSError:
                return

    server.route("/feed", trickle)
    err = fails(server.url + "/feed", fast(retries=1, connect_timeout=30.0, read_timeout=30.0, total_timeout=0.3))
    assert err.reason == "timeout"
    assert "0.3s" in str(err)


@pytest.mark.parametrize("with_length", [True, False])
def test_r05_body_over_the_cap_is_aborted_while_streaming(server: ScriptedServer, with_length: bool) -> None:
    server.route("/feed", huge(50_000_000, with_length=with_length))
    err = fails(server.url + "/feed", fast(max_bytes=100_000))
    assert isinstance(err, PermanentFetchError)
    assert err.reason == "too_large"
    assert server.hits("/feed") == 1  # permanent: not retried


def test_r06_gzip_bomb_stops_at_the_cap(server: ScriptedServer) -> None:
    server.route("/feed", gzip_bomb(30_000_000))
    err = fails(server.url + "/feed", fast(max_bytes=1_000_000))
    assert err.reason == "too_large"
    assert "after decompression" in str(err)


def test_r06_decoder_never_holds_more_than_cap_plus_one_chunk() -> None:
    bomb = gzip.compress(b"\0" * 20_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    decoder = Decoder("gzip", 500_000)
    produced = 0

    def feed_all() -> None:
        nonlocal produced
        for i in range(0, len(bomb), 4096):
            produced += len(decoder.feed(bomb[i : i + 4096]))

    with pytest.raises(PermanentFetchError):
        feed_all()
    assert decoder.size <= decoder.limit + 1
    assert decoder.peak <= CHUNK
    assert produced <= decoder.limit


def test_gzip_body_under_the_cap_is_decoded(server: ScriptedServer) -> None:
    server.route("/feed", Reply(200, gzip.compress(FEED), {"Content-Encoding": "gzip"}))
    assert get(server.url + "/feed").body == FEED


def test_r07_truncated_body_is_a_failed_fetch(server: ScriptedServer) -> None:
    server.route("/feed", truncated(rss(40), send=500))
    err = fails(server.url + "/feed", fast(retries=2))
    assert isinstance(err, RetryableFetchError)
    assert err.reason == "truncated"
    assert server.hits("/feed") == 2


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1/feed.xml", "gopher://127.0.0.1/1", "javascript:alert(1)"]
)
def test_r11_non_http_schemes_are_refused(url: str) -> None:
    err = fails(url)
    assert err.reason == "bad_scheme"
    assert "only http and https" in str(err)


def test_r11_redirect_to_file_is_refused(server: ScriptedServer) -> None:
    server.route("/feed", redirect_to("file:///etc/passwd"))
    err = fails(server.url + "/feed")
    assert err.reason == "bad_scheme"


def test_r11_more_than_five_redirects_are_refused(server: ScriptedServer) -> None:
    for i in range(10):
        server.route(f"/r{i}", redirect_to(f"/r{i + 1}"))
    server.route("/r10", Reply(200, FEED))
    err = fails(server.url + "/r0")
    assert err.reason == "too_many_redirects"
    assert "more than 5 redirects" in str(err)
    assert server.hits("/r0") == 1
    assert server.hits("/r6") == 0


def test_redirect_loop_is_refused(server: ScriptedServer) -> None:
    server.route("/a", redirect_to("/b"))
    server.route("/b", redirect_to("/a"))
    assert fails(server.url + "/a").reason == "too_many_redirects"


def test_five_redirects_are_followed(server: ScriptedServer) -> None:
    for i in range(5):
        server.route(f"/r{i}", redirect_to(f"/r{i + 1}", 301))
    server.route("/r5", Reply(200, FEED))
    result = get(server.url + "/r0")
    assert result.body == FEED
    assert result.url.endswith("/r5")
