"""Upwork's official GraphQL API: the queries jobsift sends, built from a source's options, and the
fetch that pages through them with the user's OAuth2 token (see ``jobsift.crawler.upwork_auth``).

Options: ``keywords`` and ``skills`` (any of), ``category`` (Upwork category ids), ``job_type``
(hourly or fixed), ``min_budget`` (USD, or USD/hour for hourly), ``payment_verified`` (clients with
a verified payment method only), ``page_size`` (1-100, default 50), ``max_pages`` (default 2),
``details`` (fetch the job-details query for up to this many jobs per run, default 0). The token
comes from ``jobsift auth upwork``'s file, or from the variable named by ``token_env``.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from jobsift.errors import BlockedError, ConfigError, ParseError, PermanentFetchError

SEARCH_QUERY = """\
query jobsiftSearch(
  $marketPlaceJobFilter: MarketplaceJobPostingsSearchFilter
  $searchType: MarketplaceJobPostingSearchType
  $sortAttributes: [MarketplaceJobPostingSearchSortAttribute]
) {
  marketplaceJobPostingsSearch(
    marketPlaceJobFilter: $marketPlaceJobFilter
    searchType: $searchType
    sortAttributes: $sortAttributes
  ) {
    totalCount
    edges {
      node {
        id
        ciphertext
        title
        description
        createdDateTime
        publishedDateTime
        experienceLevel
        category
        amount { rawValue currency }
        hourlyBudgetMin { rawValue currency }
        hourlyBudgetMax { rawValue currency }
        totalApplicants
        skills { name }
        client {
          totalHires
          totalPostedJobs
          totalSpent { rawValue currency }
          verificationStatus
          location { country }
          totalReviews
          totalFeedback
          memberSinceDateTime
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

DETAILS_QUERY = """\
query jobsiftJobDetails($id: ID!) {
  marketplaceJobPosting(id: $id) {
    id
    ciphertext
    title
    description
    publishedDateTime
    totalApplicants
    activityStat {
      jobActivity {
        lastClientActivity
        invitesSent
        totalInvitedToInterview
        totalHired
        totalUnansweredInvites
      }
    }
    client {
      totalHires
      totalPostedJobs
      totalSpent { rawValue currency }
      verificationStatus
      location { country }
      totalReviews
      totalFeedback
      memberSinceDateTime
    }
  }
}
"""

OPTIONS = {
    "keywords": "Search words, any of (jobsift writes the GraphQL query)",
    "skills": "Skills, any of",
    "category": "Upwork category ids, any of",
    "job_type": "hourly or fixed",
    "min_budget": "Smallest budget in USD (fixed) or USD/hour (hourly)",
    "payment_verified": "true: only clients with a verified payment method",
    "page_size": "Jobs per request, 1-100 (default 50)",
    "max_pages": "Requests per crawl at most (default 2)",
    "details": "Fetch the job-details query (client activity) for up to this many jobs per crawl (default 0)",
    "plain_get": "true: GET the URL as it is (a saved response served over HTTP): no query, no token",
}


def _words(value: Any, key: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, Sequence):
        raise ConfigError(f"{key}: expected a list of words")
    return [str(v).strip() for v in value if str(v).strip()]


def _int(value: Any, key: str, lo: int, hi: int, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(f"{key}: expected a whole number from {lo} to {hi}")
    try:
        n = int(value)
    except ValueError:
        raise ConfigError(f"{key}: expected a whole number from {lo} to {hi}") from None
    if not lo <= n <= hi:
        raise ConfigError(f"{key}: {n} is outside {lo}-{hi}")
    return n


def search_variables(options: Mapping[str, Any], where: str, after: str | None = None) -> dict[str, Any]:
    """The search's variables from the source's options (every value a variable, nothing spliced in)."""
    f: dict[str, Any] = {}
    keywords = _words(options.get("keywords"), f"{where}.keywords")
    if keywords:
        f["searchExpression_eq"] = " OR ".join(keywords)
    skills = _words(options.get("skills"), f"{where}.skills")
    if skills:
        f["skillExpression_eq"] = " OR ".join(skills)
    categories = _words(options.get("category"), f"{where}.category")
    if categories:
        f["categoryIds_any"] = categories
    kind = str(options.get("job_type") or "").strip().lower()
    if kind and kind not in ("hourly", "fixed"):
        raise ConfigError(f"{where}.job_type: {kind!r} is not hourly or fixed")
    if kind:
        f["jobType_eq"] = kind.upper()
    if options.get("min_budget") is not None:
        low = _int(options.get("min_budget"), f"{where}.min_budget", 0, 10_000_000, 0)
        f["hourlyRate_eq" if kind == "hourly" else "budgetRange_eq"] = {"rangeStart": low}
    verified = options.get("payment_verified")
    if verified is not None:
        if not isinstance(verified, bool):
            raise ConfigError(f"{where}.payment_verified: expected true or false")
        if verified:
            f["verifiedPaymentOnly_eq"] = True
    first = _int(options.get("page_size"), f"{where}.page_size", 1, 100, 50)
    f["pagination_eq"] = {"after": after or "0", "first": first}
    return {"marketPlaceJobFilter": f, "searchType": "USER_JOBS_SEARCH", "sortAttributes": [{"field": "RECENCY"}]}


def search_body(options: Mapping[str, Any], where: str = "upwork", after: str | None = None) -> dict[str, Any]:
    return {"query": SEARCH_QUERY, "variables": search_variables(options, where, after)}


def details_body(job_id: str) -> dict[str, Any]:
    return {"query": DETAILS_QUERY, "variables": {"id": job_id}}


# --- fetching -------------------------------------------------------------------------------------


class _Token:
    """The bearer token: a static one from ``token_env``, or the OAuth2 file (refreshed as needed)."""

    def __init__(self, src: Any) -> None:
        self.src = src
        self.env = src.options.get("token_env") or src.options.get("auth_env")
        self.key: Any = None
        if not self.env:
            from jobsift.crawler.upwork_auth import UpworkKey

            self.key = UpworkKey.from_options(src.name, src.options)

    async def get(self, *, refresh: bool = False) -> str:
        if self.env:
            token = os.environ.get(str(self.env), "").strip()
            if not token:
                raise ConfigError(f"sources[{self.src.name}].token_env: environment variable {self.env} is not set")
            if refresh:
                raise BlockedError(
                    f"Upwork refused the token in ${self.env}: renew it, or remove token_env and "
                    "run 'jobsift auth upwork'",
                    reason="auth_expired",
                )
            return token
        from jobsift.crawler.upwork_auth import access_token

        return await asyncio.to_thread(access_token, self.key, force_refresh=refresh)


async def _post(fetcher: Any, src: Any, token: _Token, bearer: list[str], body: dict[str, Any]) -> Any:
    """POST one query; on 401 refresh the token once, then give up as blocked with the fix."""
    from jobsift.crawler.upwork_auth import FIX

    data = json.dumps(body).encode()
    for attempt in (1, 2):
        headers = {
            "Authorization": f"Bearer {bearer[0]}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        try:
            return await fetcher.fetch(src.url, extra_headers=headers, post_body=data)
        except PermanentFetchError as exc:
            if exc.reason not in ("http_401", "http_403"):
                raise
            if attempt == 2:
                raise BlockedError(
                    f"Upwork refused the authorisation ({exc.reason}): {FIX}", reason="auth_expired"
                ) from None
            bearer[0] = await token.get(refresh=True)
    raise AssertionError("unreachable")


def _doc(result: Any) -> dict[str, Any]:
    try:
        doc = json.loads(result.body)
    except ValueError:
        raise ParseError("Upwork GraphQL: the answer is not JSON", reason="malformed") from None
    if not isinstance(doc, dict):
        raise ParseError("Upwork GraphQL: expected a JSON object", reason="malformed")
    return doc


async def fetch_upwork(fetcher: Any, src: Any) -> Any:
    """Page through the search (``max_pages``), then the details of up to ``details`` jobs; one body."""
    from jobsift.crawler.fetch import FetchResult

    where = f"sources[{src.name}]"
    opts = src.options
    max_pages = _int(opts.get("max_pages"), f"{where}.max_pages", 1, 50, 2)
    n_details = _int(opts.get("details"), f"{where}.details", 0, 500, 0)
    search_body(opts, where)  # bad options fail before any request
    token = _Token(src)
    bearer = [await token.get()]
    first: Any = None
    doc: dict[str, Any] = {}
    edges: list[Any] = []
    stats: Counter[str] = Counter()
    after: str | None = None
    for _page in range(max_pages):
        res = await _post(fetcher, src, token, bearer, search_body(opts, where, after))
        stats.update(res.stats)
        page = _doc(res)
        data = page.get("data")
        search = data.get("marketplaceJobPostingsSearch") if isinstance(data, dict) else None
        if first is None:
            first, doc = res, page
        if not isinstance(search, dict):
            break  # errors: the parser reports them
        edges += [e for e in search.get("edges") or [] if isinstance(e, dict)]
        info = search.get("pageInfo") or {}
        doc["data"]["marketplaceJobPostingsSearch"]["pageInfo"] = info
        after = info.get("endCursor")
        if not info.get("hasNextPage") or not after:
            break
    search = (doc.get("data") or {}).get("marketplaceJobPostingsSearch")
    if isinstance(search, dict):
        search["edges"] = edges
        for edge in edges[:n_details]:
            node = edge.get("node")
            if not isinstance(node, dict) or not node.get("id"):
                continue
            res = await _post(fetcher, src, token, bearer, details_body(str(node["id"])))
            stats.update(res.stats)
            detail = (_doc(res).get("data") or {}).get("marketplaceJobPosting")
            if isinstance(detail, dict):
                node.update({k: v for k, v in detail.items() if v is not None})
                stats["upwork/details"] += 1
    return FetchResult(
        url=src.url, status=first.status, body=json.dumps(doc).encode(), headers=first.headers, stats=stats
    )
