"""Remotive API JSON: ``{"jobs": [...]}`` (legal notices beside it; some copies start with a BOM).

``salary`` is free text ("$50-$75 /hour", "$150k - $230k"): parsed with provenance
``parsed_from_text``; a figure with no unit counts as yearly for full- and part-time jobs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobsift.crawler.budget import infer_salary_kind, parse_budget
from jobsift.crawler.normalize import canonical_url, parse_date, split_list
from jobsift.crawler.sources import register
from jobsift.crawler.sources.jsonutil import as_text, describe, empty, job_list
from jobsift.model import BudgetKind, ParseResult, Posting

SALARIED = {"full_time", "part_time"}


@register(
    "remotive",
    description="Remotive API JSON (remote jobs; salary parsed from free text)",
    example_url="https://remotive.com/api/remote-jobs?limit=100",
)
def parse(body: bytes, headers: Mapping[str, str], *, source: str, options: Mapping[str, Any]) -> ParseResult:
    loaded = job_list(body, headers, ("jobs",), 'Remotive: expected {"jobs": [...]}')
    if loaded is None:
        return empty("empty body")
    _doc, jobs = loaded
    result = ParseResult(items_seen=len(jobs))
    for job in jobs:
        key, url, title = job.get("id"), job.get("url"), as_text(job.get("title"))
        if key in (None, "") or not url or not title:
            result.warnings.append("job without id, url or title skipped")
            continue
        job_type = as_text(job.get("job_type"))
        hint: BudgetKind | None = "salary_year" if job_type in SALARIED else None
        budget = infer_salary_kind(parse_budget(job.get("salary") or None, kind_hint=hint))
        text, html_ = describe(job.get("description"))
        result.postings.append(
            Posting(
                source=source,
                external_id=str(key),
                url=canonical_url(str(url)),
                title=title,
                description_text=text,
                description_html=html_,
                posted_at=parse_date(job.get("publication_date")),
                budget=budget,
                category=as_text(job.get("category")),
                skills=split_list(job.get("tags")),
                company=as_text(job.get("company_name")),
                job_type=job_type,
                location=as_text(job.get("candidate_required_location")),
                remote=True,
                raw=job,
            )
        )
    return result
