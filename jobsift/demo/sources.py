"""The demo's sources: bundled files in real formats, served from loopback by ``DemoServer``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoSource:
    name: str
    format: str
    path: str  # under jobsift/demo/feeds/
    browser: bool = False
    options: tuple[tuple[str, object], ...] = ()


DEMO_SOURCES: tuple[DemoSource, ...] = (
    DemoSource("demo-rss", "rss", "generic.rss"),
    DemoSource("demo-upwork-rss", "upwork-rss", "upwork.rss"),
    DemoSource("demo-upwork-graphql", "upwork-graphql", "upwork-graphql.json", options=(("plain_get", True),)),
    DemoSource("demo-remoteok", "remoteok", "remoteok.json"),
    DemoSource("demo-remotive", "remotive", "remotive.json"),
    DemoSource("demo-freelancer", "freelancer", "freelancer.json"),
    DemoSource(
        "demo-browser",
        "declarative",
        "browser-jobs.html",
        browser=True,
        options=(
            ("kind", "html"),
            ("items", "ul#jobs li.job"),
            ("wait_for", "ul#jobs li.job"),
            (
                "fields",
                {
                    "id": "@data-id",
                    "title": "a.title",
                    "url": "a.title@href",
                    "company": "span.company",
                    "budget": "span.budget",
                    "posted_at": "time@datetime",
                    "description": "p.desc",
                },
            ),
        ),
    ),
)
