"""Freelancer.com projects API JSON.

The full API answers ``{"status": "success", "result": {"projects": [...], "users": {id: {...}}}}``
(users when asked with ``user_details``); saved copies may be a bare list or ``{"data": [...]}``.
Budget ``{minimum, maximum}`` in the project's currency (an object with ``code`` or a code),
``type`` fixed or hourly, ``bid_stats.bid_count`` as proposals, the owner's
``status.payment_verified`` from the users map (unknown when absent).

Option ``skills``: keep only projects tagged with one of these skills (Freelancer's ``jobs``) or
naming one in the title; the others are counted in a warning, not stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from jobsift.crawler.budget import make_budget
from jobsift.crawler.normalize import canonical_url, parse_date
from jobsift.crawler.sources import register
from jobsift.crawler.sources.jsonutil import (
    as_bool,
    as_float,
    as_int,
    as_text,
    describe,
    dig,
    empty,
    first,
    items_of,
    load_json,
    strings,
)
from jobsift.errors import ParseError
from jobsift.model import BudgetKind, Client, Competition, ParseResult, Posting

PROJECT_URL = "https://www.freelancer.com/projects/{}"


def _kind(project: Mapping[str, Any]) -> BudgetKind | None:
    kind = str(project.get("type") or "").lower()
    if kind == "hourly" or project.get("hourly_project_info"):
        return "hourly"
    return "fixed" if kind == "fixed" else None


def _client(owner: Any, users: Mapping[str, Any]) -> Client | None:
    if owner in (None, ""):
        return None
    user = users.get(str(owner)) or {}
    history = dig(user, "employer_reputation", "entire_history") or dig(user, "reputation", "entire_history") or {}
    return Client(
        key=str(owner),
        name=as_text(first(user, "public_name", "display_name", "username")),
        payment_verified=as_bool(dig(user, "status", "payment_verified")),
        reviews_count=as_int(history.get("reviews")),
        rating=as_float(history.get("overall")),
        member_since=parse_date(user.get("registration_date")),
        country=as_text(dig(user, "location", "country", "name")),
    )


def skill_matcher(skills: Any) -> re.Pattern[str] | None:
    """One case-insensitive whole-word pattern for the wanted skills (None: keep everything)."""
    if isinstance(skills, str):
        skills = [s for s in skills.split(",")]
    wanted = [str(s).strip() for s in (skills or []) if str(s).strip()] if isinstance(skills, Sequence) else []
    if not wanted:
        return None
    alts = "|".join(re.escape(w) for w in sorted(wanted, key=len, reverse=True))
    return re.compile(rf"(?<![\w+#.])(?:{alts})(?![\w+#])", re.IGNORECASE)


def wanted(posting: Posting, pattern: re.Pattern[str] | None) -> bool:
    if pattern is None:
        return True
    return any(pattern.search(s) for s in (*posting.skills, posting.title))


@register(
    "freelancer",
    description="Freelancer.com projects API JSON (budget in its currency, bids, owner payment verified)",
    options={"skills": 'Keep only projects tagged with (or titled by) one of these skills, e.g. ["python"]'},
    full_listing=False,
    example_url="https://www.freelancer.com/api/projects/0.1/projects/active/?user_details=true&full_description=true",
)
def parse(body: bytes, headers: Mapping[str, str], *, source: str, options: Mapping[str, Any]) -> ParseResult:
    doc = load_json(body, headers)
    if doc is None:
        return empty("empty body")
    if isinstance(doc, Mapping) and doc.get("status") == "error":
        raise ParseError(f"Freelancer API error: {doc.get('message') or doc.get('error_code')}", reason="api_error")
    projects = items_of(doc, "result.projects", "projects", "data", "result")
    if projects is None:
        raise ParseError("Freelancer: expected result.projects", reason="malformed")
    users = (dig(doc, "result", "users") or dig(doc, "users") or {}) if isinstance(doc, Mapping) else {}
    projects = [p for p in projects if isinstance(p, Mapping)]
    result = ParseResult(items_seen=len(projects))
    pattern = skill_matcher(options.get("skills"))
    skipped = 0
    for p in projects:
        key, title = p.get("id"), as_text(p.get("title"))
        if key in (None, "") or not title:
            result.warnings.append("project without id or title skipped")
            continue
        cur = p.get("currency")
        code = first(cur, "code") if isinstance(cur, Mapping) else cur
        budget = p.get("budget") or {}
        text, html_ = describe(first(p, "description", "preview_description"))
        bids = p.get("bid_stats") or {}
        client = _client(p.get("owner_id"), users if isinstance(users, Mapping) else {})
        seo = p.get("seo_url")
        posting = Posting(
            source=source,
            external_id=str(key),
            url=canonical_url(PROJECT_URL.format(seo if seo else key)),
            title=title,
            description_text=text,
            description_html=html_,
            posted_at=parse_date(first(p, "time_submitted", "submitdate", "time")),
            budget=make_budget(budget.get("minimum"), budget.get("maximum"), code, _kind(p)),
            skills=strings(p.get("jobs") or []),
            country=client.country if client else None,
            competition=Competition(proposals=as_int(bids.get("bid_count"))) if bids else None,
            client=client,
            job_type=_kind(p),
            raw=p,
        )
        if wanted(posting, pattern):
            result.postings.append(posting)
        else:
            skipped += 1
    result.left_out = skipped
    if skipped:
        result.warnings.append(f"{skipped} projects without the wanted skills left out")
    return result
