"""Shared helpers for the source-format tests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jobsift.crawler.sources import get_format
from jobsift.model import ParseResult, Posting

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def parse_bytes(
    fmt: str,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    options: Mapping[str, Any] | None = None,
    source: str = "test",
) -> ParseResult:
    return get_format(fmt).parse(body, headers or {}, source=source, options=options or {})


def parse_fixture(fmt: str, name: str, options: Mapping[str, Any] | None = None) -> ParseResult:
    return parse_bytes(fmt, (FIXTURES / fmt / name).read_bytes(), options=options)


def by_id(result: ParseResult) -> dict[str, Posting]:
    return {p.external_id: p for p in result.postings}


def assert_wellformed(result: ParseResult) -> None:
    """Invariants every parser keeps: aware UTC dates, keys, no unknown turned into False/0."""
    for p in result.postings:
        assert p.external_id
        assert p.url
        assert p.title
        assert p.url.startswith(("http://", "https://"))
        if p.posted_at is not None:
            assert p.posted_at.utcoffset() is not None
            assert p.posted_at.utcoffset().total_seconds() == 0
        if p.description_html:
            assert "<script" not in p.description_html.lower()
        if p.budget is not None:
            assert p.budget.provenance in ("field", "parsed_from_text", "none")
            if p.budget.currency and p.budget.min is not None and p.budget.currency == "USD":
                assert p.budget.min_usd == p.budget.min
