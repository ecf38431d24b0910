"""Upwork GraphQL JSON: job search results and job details, with the client's statistics.

Shapes read: the web app's ``userJobSearchV1`` search, the public API's
``marketplaceJobPostingsSearch`` (edges/node), and job details (``jobAuthDetails``, or
``marketplaceJobPosting``). A saved ``{"request": ..., "response": ...}`` pair is unwrapped.
Crawled, the source sends jobsift's own queries (``upwork_api``), built from its options, with the
token from ``jobsift auth upwork`` (or ``token_env``); the parser never sees it. Upwork budgets
are in US dollars unless a currency code says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobsift.crawler.markup import looks_like_html
from jobsift.crawler.normalize import clean_text, html_to_text, parse_date, sanitize_html, text_to_html
from jobsift.crawler.sources import register
from jobsift.crawler.sources.jsonutil import as_float, as_int, as_text, dig, empty, first, load_json, strings
from jobsift.crawler.sources.upwork_api import OPTIONS, fetch_upwork
from jobsift.crawler.sources.upwork_values import budget, payment_status, tier
from jobsift.crawler.upwork_auth import OPTIONS as AUTH_OPTIONS
from jobsift.errors import ParseError
from jobsift.model import Budget, Client, Competition, ParseResult, Posting

JOB_URL = "https://www.upwork.com/jobs/{}"


def _posting(
    source: str,
    key: str | None,
    job: Mapping[str, Any],
    *,
    title: Any,
    description: Any,
    posted: Any,
    budget_: Budget | None,
    client: Client | None,
    competition: Competition | None,
    skills: tuple[str, ...],
    category: Any,
    level: Any,
    raw: Mapping[str, Any],
    warnings: list[str],
) -> Posting | None:
    if not key:
        warnings.append("job without an id skipped")
        return None
    desc = description if isinstance(description, str) else None
    is_html = looks_like_html(desc)
    text = html_to_text(desc)
    name = as_text(title)
    if not name and text:
        name = clean_text(text.splitlines()[0][:120])
        warnings.append(f"job {key}: no title; used the first line of its description")
    if not name:
        warnings.append(f"job {key}: no title, skipped")
        return None
    return Posting(
        source=source,
        external_id=key,
        url=JOB_URL.format(key),
        title=name,
        description_text=text or None,
        description_html=sanitize_html(desc) if is_html else text_to_html(text),
        posted_at=parse_date(posted),
        budget=budget_,
        category=as_text(category),
        skills=skills,
        country=client.country if client else None,
        experience_level=tier(level),
        competition=competition,
        client=client if client and not client.is_empty else None,
        raw=raw,
    )


def _from_search_result(source: str, r: Mapping[str, Any], warnings: list[str]) -> Posting | None:
    job = dig(r, "jobTile", "job") or {}
    c = dig(r, "upworkHistoryData", "client") or {}
    client = Client(
        payment_verified=payment_status(c.get("paymentVerificationStatus")),
        total_spent=as_float(c.get("totalSpent")),
        reviews_count=as_int(c.get("totalReviews")),
        rating=as_float(c.get("totalFeedback")),
        country=as_text(c.get("country")),
    )
    key = first(job, "ciphertext", "cipherText") or (f"~02{r['id']}" if r.get("id") else None)
    return _posting(
        source,
        key,
        job,
        title=r.get("title"),
        description=r.get("description"),
        posted=first(job, "publishTime", "createTime"),
        budget_=budget(job, job.get("fixedPriceAmount"), job.get("hourlyBudgetMin"), job.get("hourlyBudgetMax")),
        client=client,
        competition=Competition(proposals=as_int(job.get("totalApplicants"))),
        skills=strings(r.get("ontologySkills") or []),
        category=None,
        level=job.get("contractorTier"),
        raw=r,
        warnings=warnings,
    )


def _from_api_node(source: str, n: Mapping[str, Any], warnings: list[str]) -> Posting | None:
    """The public API's ``MarketplaceJobPosting`` node."""
    c = n.get("client") or {}
    posted, hires = as_int(c.get("totalPostedJobs")), as_int(c.get("totalHires"))
    client = Client(
        payment_verified=payment_status(c.get("verificationStatus")),
        total_spent=as_float(c.get("totalSpent")),
        jobs_posted=posted,
        jobs_with_hires=hires,
        hire_rate=round(hires / posted, 3) if posted and hires is not None else None,
        reviews_count=as_int(c.get("totalReviews")),
        rating=as_float(c.get("totalFeedback")),
        member_since=parse_date(c.get("memberSinceDateTime")),
        country=as_text(dig(c, "location", "country")),
    )
    key = n.get("ciphertext") or n.get("id")
    return _posting(
        source,
        str(key) if key else None,
        n,
        title=n.get("title"),
        description=n.get("description"),
        posted=first(n, "publishedDateTime", "createdDateTime"),
        budget_=budget(n, n.get("amount"), n.get("hourlyBudgetMin"), n.get("hourlyBudgetMax")),
        client=client,
        competition=_api_activity(n),
        skills=strings(n.get("skills") or []),
        category=n.get("category"),
        level=n.get("experienceLevel"),
        raw=n,
        warnings=warnings,
    )


def _api_activity(n: Mapping[str, Any]) -> Competition:
    """``activityStat.jobActivity`` (public API) or ``clientActivity`` (web app), when present."""
    act = dig(n, "activityStat", "jobActivity") or n.get("clientActivity") or {}
    return Competition(
        proposals=as_int(
            first(n, "totalApplicants", ("activityStat", "applicationsBidStats", "totalApplicants"))
            if n.get("totalApplicants") is not None
            else act.get("totalApplicants")
        ),
        interviewing=as_int(act.get("totalInvitedToInterview")),
        invites_sent=as_int(first(act, "invitesSent", "invitationsSent")),
        unanswered_invites=as_int(first(act, "totalUnansweredInvites", "unansweredInvites")),
        hires=as_int(first(act, "totalHired")),
        last_client_activity_at=parse_date(first(act, "lastClientActivity", "lastBuyerActivity")),
    )


def _from_details(source: str, d: Mapping[str, Any], fallback_id: Any, warnings: list[str]) -> Posting | None:
    opening = dig(d, "opening", "job") or {}
    info = opening.get("info") or {}
    buyer = d.get("buyer") or {}
    binfo = buyer.get("info") or {}
    stats = binfo.get("stats") or {}
    jobs = binfo.get("jobs") or {}
    act = opening.get("clientActivity") or {}
    posted, with_hires = as_int(jobs.get("postedCount")), as_int(stats.get("totalJobsWithHires"))
    client = Client(
        key=str(dig(binfo, "company", "companyId")) if dig(binfo, "company", "companyId") else None,
        name=as_text(dig(binfo, "company", "name")),
        payment_verified=payment_status(buyer.get("isPaymentMethodVerified")),
        total_spent=as_float(dig(stats, "totalCharges")),
        jobs_posted=posted,
        jobs_with_hires=with_hires,
        hire_rate=round(with_hires / posted, 3) if posted and with_hires is not None else None,
        open_jobs=as_int(jobs.get("openCount")),
        reviews_count=as_int(stats.get("feedbackCount")),
        rating=as_float(stats.get("score")),
        member_since=parse_date(dig(binfo, "company", "contractDate")),
        country=as_text(dig(binfo, "location", "country")),
    )
    comp = Competition(
        proposals=as_int(act.get("totalApplicants")),
        interviewing=as_int(act.get("totalInvitedToInterview")),
        invites_sent=as_int(act.get("invitationsSent")),
        unanswered_invites=as_int(act.get("unansweredInvites")),
        hires=as_int(act.get("totalHired")),
        last_client_activity_at=parse_date(act.get("lastBuyerActivity")),
    )
    ext = opening.get("extendedBudgetInfo") or {}
    key = info.get("ciphertext") or fallback_id
    skills = strings(dig(opening, "sandsData", "ontologySkills") or [])
    return _posting(
        source,
        str(key) if key else None,
        info,
        title=info.get("title"),
        description=opening.get("description"),
        posted=first(opening, "publishTime", "postedOn") or info.get("createdOn"),
        budget_=budget(info, opening.get("budget"), ext.get("hourlyBudgetMin"), ext.get("hourlyBudgetMax")),
        client=client,
        competition=comp
        if any(
            v is not None
            for v in (comp.proposals, comp.interviewing, comp.invites_sent, comp.hires, comp.last_client_activity_at)
        )
        else None,
        skills=skills,
        category=dig(opening, "category", "name"),
        level=opening.get("contractorTier"),
        raw=d,
        warnings=warnings,
    )


@register(
    "upwork-graphql",
    description="Upwork GraphQL job search / job details JSON (client payment, spend, hires, activity)",
    options={**OPTIONS, **AUTH_OPTIONS},
    fetch=fetch_upwork,
    full_listing=False,
    example_url="https://api.upwork.com/graphql",
)
def parse(body: bytes, headers: Mapping[str, str], *, source: str, options: Mapping[str, Any]) -> ParseResult:
    doc = load_json(body, headers)
    if doc is None:
        return empty("empty body")
    request = doc.get("request") if isinstance(doc, Mapping) else None
    if isinstance(doc, Mapping) and "response" in doc:
        doc = doc["response"]
    if not isinstance(doc, Mapping):
        raise ParseError("Upwork GraphQL: expected a JSON object", reason="malformed")
    data = doc.get("data")
    if not isinstance(data, Mapping):
        errors = doc.get("errors") or []
        msg = "; ".join(str(e.get("message", e)) if isinstance(e, Mapping) else str(e) for e in errors[:3])
        raise ParseError(f"Upwork GraphQL error: {msg or 'no data'}", reason="api_error")
    result = ParseResult()
    found: list[Posting | None] = []
    search = first(data, ("search", "universalSearchNuxt", "userJobSearchV1"), "userJobSearchV1")
    if isinstance(search, Mapping):
        results = search.get("results") or []
        result.items_seen += len(results)
        found += [_from_search_result(source, r, result.warnings) for r in results if isinstance(r, Mapping)]
    api = data.get("marketplaceJobPostingsSearch")
    if isinstance(api, Mapping):
        edges = api.get("edges") or []
        result.items_seen += len(edges)
        found += [
            _from_api_node(source, e["node"], result.warnings)
            for e in edges
            if isinstance(e, Mapping) and isinstance(e.get("node"), Mapping)
        ]
        if dig(api, "pageInfo", "hasNextPage"):
            result.warnings.append("more results: page with pageInfo.endCursor")
    if isinstance(data.get("marketplaceJobPosting"), Mapping):
        result.items_seen += 1
        found.append(_from_api_node(source, data["marketplaceJobPosting"], result.warnings))
    if isinstance(data.get("jobAuthDetails"), Mapping):
        result.items_seen += 1
        fallback = dig(request or {}, "payload", "variables", "id")
        found.append(_from_details(source, data["jobAuthDetails"], fallback, result.warnings))
    result.postings = [p for p in found if p is not None]
    return result
