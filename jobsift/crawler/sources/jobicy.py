"""Jobicy API v2 JSON: ``{"jobs": [...]}`` (or a bare list); yearly salary with its currency."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobsift.crawler.budget import make_budget
from jobsift.crawler.normalize import canonical_url, parse_date
from jobsift.crawler.sources import register
from jobsift.crawler.sources.jsonutil import as_text, describe, empty, first, job_list, strings
from jobsift.model import ParseResult, Posting

LEVELS = {
    "junior": "entry",
    "entry": "entry",
    "midweight": "intermediate",
    "mid": "intermediate",
    "senior": "expert",
    "lead": "expert",
    "manager": "expert",
}


@register(
    "jobicy",
    description="Jobicy API v2 JSON (remote jobs; industry, geo, level, yearly salary and currency)",
    example_url="https://jobicy.com/api/v2/remote-jobs?count=50",
)
def parse(body: bytes, headers: Mapping[str, str], *, source: str, options: Mapping[str, Any]) -> ParseResult:
    loaded = job_list(body, headers, ("jobs",), 'Jobicy: expected {"jobs": [...]}')
    if loaded is None:
        return empty("empty body")
    _doc, jobs = loaded
    result = ParseResult(items_seen=len(jobs))
    for job in jobs:
        key, url, title = job.get("id"), job.get("url"), as_text(job.get("jobTitle"))
        if key in (None, "") or not url or not title:
            result.warnings.append("job without id, url or title skipped")
            continue
        text, html_ = describe(first(job, "jobDescription", "jobExcerpt"))
        industries = strings(job.get("jobIndustry") or [])
        level = as_text(job.get("jobLevel"))
        result.postings.append(
            Posting(
                source=source,
                external_id=str(key),
                url=canonical_url(str(url)),
                title=title,
                description_text=text,
                description_html=html_,
                posted_at=parse_date(job.get("pubDate")),
                budget=make_budget(
                    job.get("annualSalaryMin"), job.get("annualSalaryMax"), job.get("salaryCurrency"), "salary_year"
                ),
                category=industries[0] if industries else None,
                skills=industries[1:],
                experience_level=LEVELS.get((level or "").lower(), level.lower() if level else None),
                company=as_text(job.get("companyName")),
                job_type=as_text(job.get("jobType")),
                location=as_text(job.get("jobGeo")),
                remote=True,
                raw=job,
            )
        )
    return result
