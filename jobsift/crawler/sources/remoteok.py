"""RemoteOK API JSON: a list whose first element is a legal notice, then one object per job.

Salaries are yearly US dollars (``salary_min``/``salary_max``; 0 means not stated).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobsift.crawler.budget import make_budget
from jobsift.crawler.normalize import canonical_url, parse_date, split_list
from jobsift.crawler.sources import register
from jobsift.crawler.sources.jsonutil import as_text, describe, empty, first, job_list
from jobsift.model import ParseResult, Posting

SITE = "https://remoteok.com/remote-jobs/{}"


def is_job(obj: Any) -> bool:
    """The legal notice (``{"legal": ...}``) and other non-jobs carry no id."""
    return isinstance(obj, Mapping) and "legal" not in obj and obj.get("id") not in (None, "")


@register(
    "remoteok",
    description="RemoteOK API JSON (remote jobs; yearly USD salary range, tags, location)",
    example_url="https://remoteok.com/api",
)
def parse(body: bytes, headers: Mapping[str, str], *, source: str, options: Mapping[str, Any]) -> ParseResult:
    loaded = job_list(body, headers, ("jobs",), "RemoteOK: expected a JSON list of jobs", keep=is_job)
    if loaded is None:
        return empty("empty body")
    _doc, jobs = loaded
    result = ParseResult(items_seen=len(jobs))
    for job in jobs:
        key = str(job["id"])
        title = as_text(first(job, "position", "title"))
        if not title:
            result.warnings.append(f"job {key}: no title, skipped")
            continue
        url = first(job, "url", "apply_url") or SITE.format(job.get("slug") or key)
        text, html_ = describe(job.get("description"))
        tags = split_list(job.get("tags"))
        location = as_text(job.get("location"))
        result.postings.append(
            Posting(
                source=source,
                external_id=key,
                url=canonical_url(str(url)),
                title=title,
                description_text=text,
                description_html=html_,
                posted_at=parse_date(first(job, "epoch", "date")),
                budget=make_budget(job.get("salary_min"), job.get("salary_max"), "USD", "salary_year"),
                skills=tags,
                company=as_text(job.get("company")),
                location=location,
                remote=True,
                raw=job,
            )
        )
    return result
