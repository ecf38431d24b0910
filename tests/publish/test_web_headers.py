"""R40 over real HTTP: security headers on every route and error, HEAD, /docs offline, links from config."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from jobsift.config import load_config
from jobsift.publish.server import ThreadedServer
from jobsift.publish.web import create_app

Seeded = tuple[Engine, dict[str, int], Path]
HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")


def get_paths(seeded: Seeded) -> list[str]:
    """Every GET route of the app, its path parameters filled in, plus the error responses."""
    app = create_app(seeded[0], load_config(None, env={}))
    job = seeded[1]["a1"]
    out = []
    for route in app.routes:
        path = getattr(route, "path", "")
        methods = getattr(route, "methods", None) or set()
        if "GET" in methods:
            out.append(path.replace("{job_id}", str(job)))
    assert {"/", "/feed.xml", "/api/jobs", "/openapi.json", "/docs"} <= set(out)
    return [
        *out,
        "/docs/assets/swagger-ui-bundle.js",
        "/nope",
        "/jobs/999999",
        "/api/jobs/999999",
        "/api/jobs/abc",
        "/jobs/abc",
        "/?min_quality=abc",
    ]


@pytest.fixture(scope="module")
def paths(seeded: Seeded) -> list[str]:
    return get_paths(seeded)


def test_r40_every_route_and_error_sends_the_security_headers(live: str, paths: list[str]) -> None:
    for path in paths:
        r = httpx.get(live + path, timeout=10)
        assert r.status_code < 500, path
        missing = [h for h in HEADERS if h not in r.headers]
        assert not missing, (path, r.status_code, missing)
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp
        if not path.startswith("/docs"):  # our own script files only: no inline script, no other host
            assert "script-src 'self';" in csp
            assert "unsafe-inline" not in csp


def test_r40_head_answers_like_get_without_a_body(live: str, paths: list[str]) -> None:
    for path in paths:
        g = httpx.get(live + path, timeout=10)
        h = httpx.head(live + path, timeout=10)
        assert h.status_code == g.status_code, path
        assert h.content == b"", path
        assert h.headers.get("content-type") == g.headers.get("content-type"), path
        assert h.headers["content-security-policy"] == g.headers["content-security-policy"]


def test_r40_docs_work_offline_from_local_files(live: str) -> None:
    page = httpx.get(live + "/docs", timeout=10)
    assert page.status_code == 200
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page.text)
    assert sources
    assert all(s.startswith("/docs/assets/") for s in sources), sources
    for src in sources:
        asset = httpx.get(live + src, timeout=10)
        assert asset.status_code == 200, src
        assert len(asset.content) > 20, src
    assert "SwaggerUIBundle" in httpx.get(live + "/docs/assets/jobsift-init.js", timeout=10).text
    assert httpx.get(live + "/redoc", timeout=10).status_code == 404  # ReDoc would load from a CDN


def test_r40_pages_load_no_third_party_script_or_style(live: str, seeded: Seeded) -> None:
    for path in ("/", f"/jobs/{seeded[1]['a1']}", "/docs"):
        text = httpx.get(live + path, timeout=10).text
        loaded = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="([^"]+)"', text)
        assert all(u.startswith("/") and not u.startswith("//") for u in loaded), (path, loaded)


@pytest.fixture(scope="module")
def live_with_base(seeded: Seeded) -> Iterator[str]:
    cfg = load_config(None, env={})
    cfg = replace(cfg, serve=replace(cfg.serve, base_url="https://jobs.example.org/sift/"))
    with ThreadedServer(create_app(seeded[0], cfg)) as url:
        yield url


@pytest.mark.parametrize("feed", ["/feed.xml", "/feed.atom"])
def test_r40_feed_links_come_from_base_url_never_the_host_header(live: str, live_with_base: str, feed: str) -> None:
    spoof = {"Host": "evil.example:666", "X-Forwarded-Host": "evil.example"}
    configured = httpx.get(live_with_base + feed + "?hide=ghost", headers=spoof, timeout=10).text
    assert "evil.example" not in configured
    links = re.findall(r"https?://[^\s\"<>]+", configured)
    ours = [u for u in links if ("/jobs/" in u or "feed." in u) and ".test/" not in u]  # not the postings' own
    assert ours
    assert all(u.startswith("https://jobs.example.org/sift/") for u in ours), ours
    assert "https://jobs.example.org/sift/" + feed.lstrip("/") + "?hide=ghost" in configured
    default = httpx.get(live + feed, headers=spoof, timeout=10).text
    assert "evil.example" not in default
    assert "http://127.0.0.1:8080/jobs/" in default  # serve.host:serve.port when base_url is unset
