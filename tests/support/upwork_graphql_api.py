"""A loopback stand-in for Upwork's GraphQL endpoint, executing queries with graphql-core.

The schema is the part of Upwork's that jobsift uses (``marketplaceJobPostingsSearch`` with its
filter input, ``marketplaceJobPosting``), so a query naming a field or argument Upwork does not have
fails validation here as it would there (HTTP 200 with ``errors``). ``Authorization: Bearer`` must
be a token the OAuth stand-in issued and has not revoked (else 401). The filter is applied
(search words, skills, job type, budget, verified payment) and paging follows ``pagination_eq``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from graphql import build_schema, graphql_sync

from tests.support.loopback import LoopbackServer, Reply, Request

SDL = """
type Query {
  marketplaceJobPostingsSearch(
    marketPlaceJobFilter: MarketplaceJobPostingsSearchFilter
    searchType: MarketplaceJobPostingSearchType
    sortAttributes: [MarketplaceJobPostingSearchSortAttribute]
  ): MarketplaceJobPostingSearchConnection
  marketplaceJobPosting(id: ID!): MarketplaceJobPosting
}
input MarketplaceJobPostingsSearchFilter {
  searchExpression_eq: String
  skillExpression_eq: String
  titleExpression_eq: String
  categoryIds_any: [ID]
  jobType_eq: ContractType
  verifiedPaymentOnly_eq: Boolean
  budgetRange_eq: IntRange
  hourlyRate_eq: IntRange
  pagination_eq: Pagination
  daysPosted_eq: Int
}
input IntRange { rangeStart: Int rangeEnd: Int }
input Pagination { after: String first: Int }
input MarketplaceJobPostingSearchSortAttribute { field: MarketplaceJobPostingSearchSortField }
enum MarketplaceJobPostingSearchSortField { RECENCY RELEVANCE CLIENT_TOTAL_CHARGE CLIENT_RATING }
enum MarketplaceJobPostingSearchType { USER_JOBS_SEARCH JOBS_FEED }
enum ContractType { HOURLY FIXED }
enum ExperienceLevel { ENTRY_LEVEL INTERMEDIATE EXPERT }
enum VerificationStatus { VERIFIED NOT_VERIFIED }
type MarketplaceJobPostingSearchConnection {
  totalCount: Int
  edges: [MarketplaceJobPostingSearchEdge]
  pageInfo: PageInfo
}
type MarketplaceJobPostingSearchEdge { node: MarketplaceJobPostingSearchResult cursor: String }
type PageInfo { hasNextPage: Boolean endCursor: String }
type Money { rawValue: String currency: String displayValue: String }
type Skill { name: String prettyName: String }
type Location { country: String city: String }
type ClientInfo {
  totalHires: Int
  totalPostedJobs: Int
  totalSpent: Money
  verificationStatus: VerificationStatus
  location: Location
  totalReviews: Int
  totalFeedback: Float
  memberSinceDateTime: String
}
type MarketplaceJobPostingSearchResult {
  id: ID!
  ciphertext: String
  title: String
  description: String
  createdDateTime: String
  publishedDateTime: String
  experienceLevel: ExperienceLevel
  category: String
  amount: Money
  hourlyBudgetMin: Money
  hourlyBudgetMax: Money
  totalApplicants: Int
  skills: [Skill]
  client: ClientInfo
}
type JobActivity {
  lastClientActivity: String
  invitesSent: Int
  totalInvitedToInterview: Int
  totalHired: Int
  totalUnansweredInvites: Int
}
type ActivityStat { jobActivity: JobActivity }
type MarketplaceJobPosting {
  id: ID!
  ciphertext: String
  title: String
  description: String
  publishedDateTime: String
  totalApplicants: Int
  activityStat: ActivityStat
  client: ClientInfo
}
"""
SCHEMA = build_schema(SDL)


def money(v: float | None) -> dict[str, str] | None:
    return None if v is None else {"rawValue": f"{v:.2f}", "currency": "USD", "displayValue": f"${v:,.2f}"}


def job(
    n: int,
    title: str,
    skills: list[str],
    kind: str,
    amount: float | None,
    lo: float | None,
    hi: float | None,
    verified: bool,
    country: str,
    hires: int,
    posted: int,
) -> dict[str, Any]:
    return {
        "id": f"19300000000000000{n:02d}",
        "ciphertext": f"~0219300000000000000{n:02d}",
        "title": title,
        "description": f"<p>{title}. Details inside.</p>",
        "createdDateTime": f"2026-11-30T{n % 24:02d}:00:00Z",
        "publishedDateTime": f"2026-11-30T{n % 24:02d}:05:00Z",
        "experienceLevel": "INTERMEDIATE",
        "category": "Web, Mobile & Software Dev",
        "_kind": kind,
        "amount": money(amount),
        "hourlyBudgetMin": money(lo),
        "hourlyBudgetMax": money(hi),
        "totalApplicants": 5 + n,
        "skills": [{"name": s, "prettyName": s} for s in skills],
        "client": {
            "totalHires": hires,
            "totalPostedJobs": posted,
            "totalSpent": money(1000.0 * hires),
            "verificationStatus": "VERIFIED" if verified else "NOT_VERIFIED",
            "location": {"country": country},
            "totalReviews": hires,
            "totalFeedback": 4.6 if hires else None,
            "memberSinceDateTime": "2020-05-01T00:00:00Z",
        },
        "activityStat": {
            "jobActivity": {
                "lastClientActivity": "2026-11-30T20:00:00Z",
                "invitesSent": 3,
                "totalInvitedToInterview": 2,
                "totalHired": 0,
                "totalUnansweredInvites": 1,
            }
        },
    }


JOBS = [
    job(1, "Django REST API for a clinic", ["Python", "Django"], "FIXED", 1200, None, None, True, "Canada", 12, 15),
    job(2, "Python scraper for prices", ["Python", "Web Scraping"], "FIXED", 40, None, None, False, "India", 0, 30),
    job(3, "Long-term Django developer", ["Django"], "HOURLY", None, 35, 60, True, "United States", 40, 44),
    job(4, "Logo for a bakery", ["Logo Design"], "FIXED", 150, None, None, True, "France", 2, 3),
    job(5, "FastAPI service, hourly", ["Python", "FastAPI"], "HOURLY", None, 15, 20, True, "Germany", 5, 6),
]


def _matches(j: dict[str, Any], f: dict[str, Any]) -> bool:
    text = (j["title"] + " " + j["description"]).lower()
    skills = {s["name"].lower() for s in j["skills"]}
    if f.get("searchExpression_eq"):
        words = [w.strip().lower() for w in f["searchExpression_eq"].split(" OR ")]
        if not any(w in text or w in skills for w in words):
            return False
    if f.get("skillExpression_eq"):
        wanted = {w.strip().lower() for w in f["skillExpression_eq"].split(" OR ")}
        if not wanted & skills:
            return False
    if f.get("jobType_eq") and j["_kind"] != f["jobType_eq"]:
        return False
    if f.get("verifiedPaymentOnly_eq") and j["client"]["verificationStatus"] != "VERIFIED":
        return False
    low = (f.get("budgetRange_eq") or {}).get("rangeStart")
    if low is not None and (j["amount"] is None or float(j["amount"]["rawValue"]) < low):
        return False
    return not (
        f.get("hourlyRate_eq")
        and (j["hourlyBudgetMax"] is None or float(j["hourlyBudgetMax"]["rawValue"]) < f["hourlyRate_eq"]["rangeStart"])
    )


class Root:
    def __init__(self, jobs: list[dict[str, Any]]) -> None:
        self.jobs = jobs

    def marketplaceJobPostingsSearch(
        self, info: Any, marketPlaceJobFilter: dict[str, Any] | None = None, **_: Any
    ) -> dict[str, Any]:
        f = marketPlaceJobFilter or {}
        hits = [j for j in self.jobs if _matches(j, f)]
        page = f.get("pagination_eq") or {}
        start, first = int(page.get("after") or 0), int(page.get("first") or 10)
        chunk = hits[start : start + first]
        end = start + len(chunk)
        edges = [{"node": j, "cursor": str(start + i + 1)} for i, j in enumerate(chunk)]
        return {
            "totalCount": len(hits),
            "edges": edges,
            "pageInfo": {"hasNextPage": end < len(hits), "endCursor": str(end) if chunk else None},
        }

    def marketplaceJobPosting(self, info: Any, id: str) -> dict[str, Any] | None:
        return next((j for j in self.jobs if j["id"] == id), None)


class GraphQLApi(LoopbackServer):
    def __init__(self, valid_token: Callable[[str], bool], jobs: list[dict[str, Any]] | None = None) -> None:
        self.valid_token = valid_token
        self.root = Root(jobs or JOBS)
        self.bodies: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        super().__init__()

    def answer(self, request: Request) -> Reply:
        if request.method == "GET":
            return Reply(404 if request.path == "/robots.txt" else 405)
        status, body = self.handle(request.path, request.headers.get("authorization", ""), request.body)
        with self.lock:
            self.statuses.append(status)
        return Reply.json(status, body)

    @property
    def url(self) -> str:
        return f"{self.origin}/graphql"

    def handle(self, path: str, auth: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        if path != "/graphql":
            return 404, {"message": "not found"}
        if not auth.startswith("Bearer ") or not self.valid_token(auth[7:]):
            return 401, {"message": "Unauthorized", "code": 401}
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, {"errors": [{"message": "body is not JSON"}]}
        with self.lock:
            self.bodies.append(body)
        result = graphql_sync(
            SCHEMA, body.get("query") or "", root_value=self.root, variable_values=body.get("variables")
        )
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [{"message": e.message} for e in result.errors]
        return 200, out
