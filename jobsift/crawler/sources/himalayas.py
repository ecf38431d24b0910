"""Himalayas jobs API JSON: ``{"jobs": [...], "totalCount", "offset", "limit"}``.

Built from the documented shape (title, excerpt, companyName, employmentType, minSalary,
maxSalary, currency, seniority, locationRestrictions, categories, pubDate in epoch seconds,
applicationLink, guid, description); missing fields stay unknown. Salaries are yearly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobsift.crawler.budget import make_budget
from jobsift.crawler.normalize import canonical_url, parse_date
from jobsift.crawler.sources import register
from jobsift.crawler.sources.jsonutil import as_text, describe, empty, first, job_list, strings
from jobsift.model import ParseResult, Posting

LEVELS = {
    "entry-level": "entry",
    "entry": "entry",
    "junior": "entry",
    "mid-level": "intermediate",
    "mid": "intermediate",
    "senior": "expert",
    "manager": "expert",
    "director": "expert",
    "executive": "expert",
}


def _level(value: Any) -> str | None:
    names = strings(value if isinstance(value, list) else [value] if value else [])
    return LEVELS.get(names[0].lower(), names[0].lower()) if names else None


@register(
    "himalayas",
    description="Himalayas jobs API JSON (remote jobs; yearly salary range, seniority, location restrictions)",
    example_url="https://himalayas.app/jobs/api?limit=20&offset=0",
)
def parse(body: bytes, headers: Mapping[str, str], *, source: str, options: Mapping[str, Any]) -> ParseResult:
    loaded = job_list(body, headers, ("jobs", "data"), 'Himalayas: expected {"jobs": [...]}')
    if loaded is None:
        return empty("empty body")
    _doc, jobs = loaded
    result = ParseResult(items_seen=len(jobs))
    for job in jobs:
        url = first(job, "applicationLink", "url", "guid")
        key = first(job, "guid", "id", "applicationLink")
        title = as_text(job.get("title"))
        if not key or not url or not title:
            result.warnings.append("job without guid, link or title skipped")
            continue
        key = str(key)
        text, html_ = describe(first(job, "description", "excerpt"))
        categories = strings(job.get("categories") or [])
        places = strings(job.get("locationRestrictions") or [])
        result.postings.append(
            Posting(
                source=source,
                external_id=canonical_url(key) if key.startswith("http") else key,
                url=canonical_url(str(url)),
                title=title,
                description_text=text,
                description_html=html_,
                posted_at=parse_date(job.get("pubDate")),
                budget=make_budget(
                    job.get("minSalary"),
                    job.get("maxSalary"),
                    first(job, "currency", "salaryCurrency") or None,
                    "salary_year",
                ),
                category=categories[0] if categories else None,
                skills=categories[1:],
                experience_level=_level(job.get("seniority")),
                company=as_text(job.get("companyName")),
                job_type=as_text(job.get("employmentType")),
                location=", ".join(places) or None,
                remote=True,
                raw=job,
            )
        )
    return result
