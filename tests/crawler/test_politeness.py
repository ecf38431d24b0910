"""robots.txt policy (R08) and per-host pacing and in-flight caps (R10)."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from jobsift.config import FetchConfig
from jobsift.crawler.fetch import Fetcher
from jobsift.crawler.politeness import host_of
from jobsift.errors import BlockedError, FetchError
from tests.support.crawling import FAST, RSS_HEADERS, Sleeps, fast, rss
from tests.support.httpserver import Reply, ScriptedServer, gate, hang, robots

FEED = rss(2)


def fetch_all(urls: list[str], cfg: FetchConfig = FAST) -> tuple[list[object], Fetcher]:
    async def go() -> tuple[list[object], Fetcher]:
        fetcher = Fetcher(cfg, sleep=Sleeps())
        try:
            results = await asyncio.gather(*(fetcher.fetch(u) for u in urls), return_exceptions=True)
        finally:
            await fetcher.aclose()
        return list(results), fetcher

    return asyncio.run(go())


def blocked(url: str, cfg: FetchConfig = FAST) -> BlockedError:
    (result,), _ = fetch_all([url], cfg)
    assert isinstance(result, BlockedError), result
    return result


def test_r08_robots_disallow_means_no_request(server: ScriptedServer) -> None:
    server.route("/robots.txt", robots("User-agent: *\nDisallow: /private/\n"))
    server.route("/private/feed", Reply(200, FEED, RSS_HEADERS))
    server.route("/public/feed", Reply(200, FEED, RSS_HEADERS))
    (bad, good), fetcher = fetch_all([server.url + "/private/feed", server.url + "/public/feed"])
    assert isinstance(bad, BlockedError)
    assert bad.reason == "blocked_by_robots"
    assert "disallows /private/feed" in str(bad)
    assert server.hits("/private/feed") == 0
    assert getattr(good, "status", None) == 200
    assert server.hits("/robots.txt") == 1  # fetched once per host and reused
    assert fetcher.stats["robots/requests"] == 1


def test_r08_robots_rules_for_jobsift_by_name(server: ScriptedServer) -> None:
    server.route("/robots.txt", robots("User-agent: jobsift\nDisallow: /\n\nUser-agent: *\nAllow: /\n"))
    server.route("/feed", Reply(200, FEED))
    assert blocked(server.url + "/feed").reason == "blocked_by_robots"
    assert server.hits("/feed") == 0


@pytest.mark.parametrize("status", [500, 503])
def test_r08_robots_5xx_skips_the_host_this_run(server: ScriptedServer, status: int) -> None:
    server.route("/robots.txt", Reply(status, b"oops"))
    server.route("/feed", Reply(200, FEED))
    err = blocked(server.url + "/feed")
    assert err.reason == "robots_unavailable"
    assert "skipped this run" in str(err)
    assert server.hits("/feed") == 0


def test_r08_robots_timeout_skips_the_host_this_run(server: ScriptedServer) -> None:
    server.route("/robots.txt", hang(server))
    server.route("/feed", Reply(200, FEED))
    err = blocked(server.url + "/feed", fast(read_timeout=0.2))
    assert err.reason == "robots_unavailable"
    assert server.hits("/feed") == 0
    assert server.hits("/robots.txt") == 1


def test_r08_robots_403_forbids_everything(server: ScriptedServer) -> None:
    server.route("/robots.txt", Reply(403, b"no"))
    server.route("/feed", Reply(200, FEED))
    assert blocked(server.url + "/feed").reason == "blocked_by_robots"
    assert server.hits("/feed") == 0


@pytest.mark.parametrize(
    "reply",
    [
        Reply(404, b"not found"),
        Reply(410, b"gone"),
        Reply(200, b"\x89PNG\r\n\x1a\n\x00\x00garbage\xff\xfe<html>not robots</html>"),
        Reply(200, b""),
    ],
    ids=["404", "410", "garbage", "empty"],
)
def test_r08_robots_missing_or_garbage_allows(server: ScriptedServer, reply: Reply) -> None:
    server.route("/robots.txt", reply)
    server.route("/feed", Reply(200, FEED))
    (result,), _ = fetch_all([server.url + "/feed"])
    assert getattr(result, "status", None) == 200
    assert server.hits("/feed") == 1


def test_r08_robots_off_makes_no_robots_request(server: ScriptedServer) -> None:
    server.route("/robots.txt", robots("User-agent: *\nDisallow: /\n"))
    server.route("/feed", Reply(200, FEED))
    (result,), _ = fetch_all([server.url + "/feed"], fast(respect_robots=False))
    assert getattr(result, "status", None) == 200
    assert server.hits("/robots.txt") == 0


def test_r10_requests_to_one_host_are_spaced_by_the_delay(server: ScriptedServer) -> None:
    delay = 0.08
    for i in range(5):
        server.route(f"/feed{i}", Reply(200, FEED))
    results, fetcher = fetch_all([f"{server.url}/feed{i}" for i in range(5)], fast(per_host_delay=delay))
    assert all(getattr(r, "status", None) == 200 for r in results)
    starts = list(fetcher.politeness.starts[host_of(server.url)])
    assert len(starts) == 6  # robots.txt + 5 feeds, all paced
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= delay * 0.99
    # Each paced start is a request the server received: nothing went out around the pacer. (The
    # server-side arrival gaps are not asserted: a busy machine delays one loopback packet and not
    # the next, so they say more about the load than about the pacing.)
    assert sorted(r.path for r in server.requests if r.path != "/robots.txt") == [f"/feed{i}" for i in range(5)]


def test_r10_robots_crawl_delay_lengthens_the_spacing(server: ScriptedServer) -> None:
    server.route("/robots.txt", robots("User-agent: *\nCrawl-delay: 0.1\n"))
    for i in range(3):
        server.route(f"/feed{i}", Reply(200, FEED))
    _, fetcher = fetch_all([f"{server.url}/feed{i}" for i in range(3)], fast(per_host_delay=0.0))
    starts = list(fetcher.politeness.starts[host_of(server.url)])
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert gaps
    assert min(gaps) >= 0.099


def test_r10_never_more_than_the_per_host_cap_in_flight(server: ScriptedServer) -> None:
    server.route("/feed", gate(server, Reply(200, FEED), until=3, timeout=0.5))
    urls = [f"{server.url}/feed?n={i}" for i in range(4)]
    results, fetcher = fetch_all(urls, fast(per_host_concurrency=2, read_timeout=2.0))
    assert all(getattr(r, "status", None) == 200 for r in results)
    assert fetcher.politeness.max_in_flight[host_of(server.url)] == 2
    assert server.max_in_flight == 2


def test_r10_per_host_cap_of_one_does_not_deadlock_on_robots(server: ScriptedServer) -> None:
    server.route("/robots.txt", robots("User-agent: *\nAllow: /\n"))
    server.route("/feed", Reply(200, FEED))
    results, _ = fetch_all([server.url + "/feed"] * 3, fast(per_host_concurrency=1))
    assert [getattr(r, "status", None) for r in results] == [200, 200, 200]
    assert server.max_in_flight == 1


def test_fetch_errors_are_one_line(server: ScriptedServer) -> None:
    server.route("/feed", Reply(500, b"x"))
    (err,), _ = fetch_all([server.url + "/feed"], fast(retries=1))
    assert isinstance(err, FetchError)
    assert "\n" not in str(err)


def test_r08_unreadable_robots_is_asked_again_after_a_short_retry_not_the_full_ttl() -> None:
    from jobsift.crawler.politeness import UNAVAILABLE_RETRY, Politeness
    from jobsift.errors import BlockedError, RetryableFetchError

    now = [0.0]
    answers: list[object] = [RetryableFetchError("HTTP 503", reason="http_503"), (404, b"")]

    async def fetch_robots(_url: str) -> tuple[int, bytes]:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[return-value]

    pol = Politeness(
        user_agent="jobsift", per_host_delay=0, per_host_concurrency=1, robots_ttl=3600, clock=lambda: now[0]
    )
    with pytest.raises(BlockedError, match="unavailable"):
        asyncio.run(pol.check_robots("http://h.test/feed", fetch_robots))
    now[0] = UNAVAILABLE_RETRY + 1
    asyncio.run(pol.check_robots("http://h.test/feed", fetch_robots))  # asked again: 404, allowed
    assert answers == []


def test_r08_robots_refused_for_a_permanent_reason_allows_everything() -> None:
    from jobsift.crawler.politeness import Politeness
    from jobsift.errors import PermanentFetchError

    async def fetch_robots(_url: str) -> tuple[int, bytes]:
        raise PermanentFetchError("robots.txt over the cap", reason="too_large")

    pol = Politeness(user_agent="jobsift", per_host_delay=0, per_host_concurrency=1)
    asyncio.run(pol.check_robots("http://h.test/feed", fetch_robots))  # no BlockedError
    assert pol._robots["http://h.test"].unavailable is None


def test_a_host_that_refuses_connections_is_unreachable_not_robots_unavailable() -> None:
    from jobsift.errors import UnreachableError
    from jobsift.publish.server import free_port

    port = free_port()  # bound then closed: connections to it are refused
    (result,), fetcher = fetch_all([f"http://127.0.0.1:{port}/feed"])
    assert isinstance(result, UnreachableError), result
    assert not isinstance(result, BlockedError)
    assert result.reason == "connect_error"
    assert str(result) == f"connection refused by 127.0.0.1:{port}"
    assert fetcher.stats["robots/requests"] == 1


def test_without_robots_a_refused_connection_still_says_so() -> None:
    from jobsift.publish.server import free_port

    port = free_port()
    (result,), _ = fetch_all([f"http://127.0.0.1:{port}/feed"], fast(respect_robots=False, retries=1))
    assert isinstance(result, FetchError), result
    assert f"connection refused by 127.0.0.1:{port}" in str(result)
