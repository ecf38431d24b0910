"""Arbeitnow job board API JSON: ``{"data": [...], "links": ..., "meta": ...}`` or a bare list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobsift.crawler.normalize import canonical_url, parse_date, split_list
from jobsift.crawler.sources import register
from jobsift.crawler.sources.jsonutil import as_bool, as_text, describe, dig, empty, job_list
from jobsift.model import ParseResult, Posting


@register(
    "arbeitnow",
    description="Arbeitnow job board API JSON (Europe; remote flag, tags, job types)",
    example_url="https://www.arbeitnow.com/api/job-board-api",
)
def parse(body: bytes, headers: Mapping[str, str], *, source: str, options: Mapping[str, Any]) -> ParseResult:
    loaded = job_list(body, headers, ("data", "jobs"), 'Arbeitnow: expected {"data": [...]}')
    if loaded is None:
        return empty("empty body")
    doc, jobs = loaded
    result = ParseResult(items_seen=len(jobs), next_url=dig(doc, "links", "next") if isinstance(doc, dict) else None)
    for job in jobs:
        url, title = job.get("url"), as_text(job.get("title"))
        key = job.get("slug") or (canonical_url(url) if url else None)
        if not key or not url or not title:
            result.warnings.append("job without slug, url or title skipped")
            continue
        text, html_ = describe(job.get("description"))
        types = split_list(job.get("job_types"))
        result.postings.append(
            Posting(
                source=source,
                external_id=str(key),
                url=canonical_url(str(url)),
                title=title,
                description_text=text,
                description_html=html_,
                posted_at=parse_date(job.get("created_at")),
                skills=split_list(job.get("tags")),
                company=as_text(job.get("company_name")),
                job_type=", ".join(types) or None,
                location=as_text(job.get("location")),
                remote=as_bool(job.get("remote")),
                raw=job,
            )
        )
    return result
