"""Helpers for crawler tests: tiny-timeout fetch settings, feeds, configs and a sleep recorder."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from jobsift.config import Config, FetchConfig, SourceConfig

#: Everything small so a misbehaving server costs fractions of a second.
FAST = FetchConfig(
    connect_timeout=2.0,
    read_timeout=2.0,
    total_timeout=5.0,
    max_bytes=200_000,
    max_redirects=5,
    retries=3,
    backoff_base=0.001,
    backoff_max=0.002,
    max_retry_after=5.0,
    per_host_delay=0.0,
    per_host_concurrency=8,
    concurrency=8,
)


def fast(**changes: Any) -> FetchConfig:
    return replace(FAST, **changes)


class Sleeps:
    """An injected ``sleep`` that records the delays it was asked for and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def rss(items: list[tuple[str, str]] | int, *, title: str = "Test feed", prefix: str = "job") -> bytes:
    """An RSS 2.0 feed; ``items`` is a count or (guid, link) pairs."""
    pairs = (
        [(f"{prefix}-{i}", f"https://jobs.example/{prefix}/{i}") for i in range(items)]
        if isinstance(items, int)
        else items
    )
    body = "".join(
        f"<item><title>Job {guid}</title><link>{link}</link>"
        + (f"<guid isPermaLink='false'>{guid}</guid>" if guid else "")
        + "<description>Build a thing. Budget $500.</description>"
        "<pubDate>Sun, 22 Nov 2026 05:10:00 +0000</pubDate></item>"
        for guid, link in pairs
    )
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>{title}</title>"
        f"<link>https://jobs.example/</link>{body}</channel></rss>"
    ).encode()


RSS_HEADERS = {"Content-Type": "application/rss+xml; charset=utf-8"}


def config(sources: list[SourceConfig], fetch: FetchConfig = FAST, db_url: str = "sqlite://") -> Config:
    return replace(Config(), sources=sources, fetch=fetch).with_db(db_url)


def source(name: str, url: str, fmt: str = "rss", **kw: Any) -> SourceConfig:
    return SourceConfig(name=name, format=fmt, url=url, **kw)
