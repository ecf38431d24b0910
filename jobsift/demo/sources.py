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
)
