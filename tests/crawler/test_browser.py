"""Browser sources through Debian's Chromium: JavaScript-only job lists, politeness, caps, R31."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from jobsift.config import FetchConfig
from jobsift.config.sections import USER_AGENT
from jobsift.crawler import browser
from jobsift.crawler.browser import BrowserSession, fetch_page, processes_using
from jobsift.crawler.fetch import Fetcher, FetchResult
from jobsift.crawler.run import crawl
from jobsift.crawler.sources import get_format
from jobsift.errors import BlockedError, FetchError
from tests.support.crawling import config, fast, source
from tests.support.httpserver import Reply, ScriptedServer, hang, robots

pytestmark = pytest.mark.skipif(
    not Path(browser.chromium_path()).exists() and not shutil.which("chromium"),
    reason="Chromium is not installed (run scripts/system-deps.sh --chromium-only)",
)

JOBS_PAGE = b"""<!DOCTYPE html><html><head><title>Board</title>
<style>@font-face { font-family: X; src: url(/font.woff2); } body { font-family: X; }</style></head>
<body><ul id="jobs"></ul><img src="/logo.png" alt="">
<script>
const JOBS = [["j1", "Write a scraper"], ["j2", "Design a poster"], ["j3", "Fix a Django bug"]];
window.addEventListener("DOMContentLoaded", () => {
  for (const [id, title] of JOBS) {
    const li = document.createElement("li"); li.className = "job"; li.dataset.id = id;
    const a = document.createElement("a"); a.href = "/jobs/" + id; a.textContent = title;
    li.appendChild(a); document.getElementById("jobs").appendChild(li);
  }
});
</script></body></html>"""
HTML = {"Content-Type": "text/html; charset=utf-8"}
OPTIONS: dict[str, Any] = {
    "kind": "html",
    "items": "ul#jobs li.job",
    "base_url": "http://jobs.example/",
    "fields": {"id": "@data-id", "title": "a", "url": "a@href"},
}


@pytest.fixture(autouse=True)
def profile_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "profiles"
    root.mkdir()
    monkeypatch.setattr(browser, "PROFILE_ROOT", root)
    return root


def render(url: str, cfg: FetchConfig | None = None, **options: Any) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(cfg or fast(total_timeout=20.0)) as fetcher:
            return await fetch_page(url, fetcher=fetcher, options=options)

    return asyncio.run(go())


def assert_no_leftovers(root: Path) -> None:
    assert processes_using(str(root)) == []
    assert list(root.iterdir()) == []  # the profile directory is gone too


def test_js_only_job_list_needs_the_browser(server: ScriptedServer, profile_root: Path) -> None:
    server.route("/board", Reply(200, JOBS_PAGE, HTML))
    declarative = get_format("declarative")

    async def plain() -> bytes:
        async with Fetcher(fast()) as fetcher:
            return (await fetcher.fetch(server.url + "/board")).body

    assert declarative.parse(asyncio.run(plain()), {}, source="b", options=OPTIONS).postings == []
    page = render(server.url + "/board", wait_for="li.job")
    found = declarative.parse(page.body, page.headers, source="b", options=OPTIONS).postings
    assert [p.external_id for p in found] == ["j1", "j2", "j3"]
    assert page.status == 200
    assert page.stats["browser/pages"] == 1
    assert server.requests_to("/board")[-1].headers["user-agent"] == USER_AGENT
    assert server.hits("/logo.png") == 0
    assert server.hits("/font.woff2") == 0
    assert_no_leftovers(profile_root)


def test_browser_source_crawls_end_to_end(server: ScriptedServer, sqlite_engine: Engine, profile_root: Path) -> None:
    server.route("/board", Reply(200, JOBS_PAGE, HTML))
    src = source(
        "board",
        server.url + "/board",
        fmt="declarative",
        browser=True,
        options={**OPTIONS, "wait_for": "li.job", "render_timeout": 20},
    )
    report = crawl(sqlite_engine, config([src], fast(total_timeout=20.0)))
    assert [(o.outcome, o.items) for o in report.outcomes] == [("ok", 3)]
    from jobsift.store.schema import postings

    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(postings)).scalar_one() == 3
    assert_no_leftovers(profile_root)


def test_browser_obeys_robots_without_starting_chromium(server: ScriptedServer, profile_root: Path) -> None:
    server.route("/robots.txt", robots("User-agent: *\nDisallow: /board\n"))
    server.route("/board", Reply(200, JOBS_PAGE, HTML))
    with pytest.raises(BlockedError) as info:
        render(server.url + "/board")
    assert info.value.reason == "blocked_by_robots"
    assert server.hits("/board") == 0
    assert list(profile_root.iterdir()) == []


def test_browser_refuses_non_http_urls(profile_root: Path) -> None:
    with pytest.raises(FetchError) as info:
        render("file:///etc/passwd")
    assert info.value.reason == "bad_scheme"


def test_r31_page_in_an_infinite_loop_times_out_and_leaves_nothing(server: ScriptedServer, profile_root: Path) -> None:
    server.route("/loop", Reply(200, b"<html><body><script>while (true) {}</script></body></html>", HTML))
    with pytest.raises(FetchError) as info:
        render(server.url + "/loop", render_timeout=1)
    assert info.value.reason == "render_timeout"
    assert "1s" in str(info.value)
    assert_no_leftovers(profile_root)


def test_r31_page_that_never_finishes_loading_times_out(server: ScriptedServer, profile_root: Path) -> None:
    server.route("/slow", Reply(200, b"<html><body><script src='/never.js'></script></body></html>", HTML))
    server.route("/never.js", hang(server))
    with pytest.raises(FetchError) as info:
        render(server.url + "/slow", render_timeout=1)
    assert info.value.reason == "render_timeout"
    assert server.hits("/never.js") == 1
    assert_no_leftovers(profile_root)


def test_one_session_refuses_bad_pages_and_keeps_going(server: ScriptedServer, profile_root: Path) -> None:
    big = b"<html><body><script>document.body.append('x'.repeat(300000))</script></body></html>"
    server.route("/big", Reply(200, big, HTML))
    server.route("/gone", Reply(404, b"<html>gone</html>", HTML))
    server.route("/board", Reply(200, JOBS_PAGE, HTML))

    async def go() -> list[str]:
        reasons: list[str] = []
        fetcher = Fetcher(fast(total_timeout=20.0, max_bytes=100_000))
        async with fetcher, BrowserSession(fetcher, timeout=1) as session:
            for path, wait_for in (("/big", None), ("/gone", None), ("/board", "div.never")):
                try:
                    await session.render(server.url + path, wait_for=wait_for)
                except FetchError as exc:
                    reasons.append(f"{exc.reason}: {exc}")
            page = await session.render(server.url + "/board", wait_for="li.job")
            assert b"Fix a Django bug" in page.body
        return reasons

    big_r, gone_r, selector_r = asyncio.run(go())
    assert big_r.startswith("too_large")
    assert gone_r.startswith("http_404")
    assert selector_r.startswith("render_timeout")
    assert "div.never" in selector_r
    assert_no_leftovers(profile_root)
