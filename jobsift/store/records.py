"""The read record: one listed job as every output sees it (CLI, web page, API, feeds, digest, export).

A ``Job`` is built once from a listing row (``Job.from_row``, the SELECT of ``store.queries``) and is
frozen from there to the page. ``Job.to_json()`` is the JSON object documented in the README and
docs/output.md (same keys, same values); outputs that print JSON call it, templates and code read
attributes. The budget figure the market compares and ``--min-budget`` filters on is
``Job.budget_figure`` (``store.budget_figure``, one definition).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from jobsift.store.budget_figure import budget_figure

BUDGET_FIELDS = ("kind", "min", "max", "currency", "min_usd", "max_usd", "provenance", "raw")
COMPETITION_FIELDS = (
    "proposals",
    "interviewing",
    "invites_sent",
    "unanswered_invites",
    "hires",
    "last_client_activity_at",
)


@dataclass(frozen=True, slots=True)
class Budget:
    """The stated budget: native amounts, their USD conversion, and where they came from."""

    kind: str | None  # fixed, hourly, salary_year, salary_month
    min: float | None
    max: float | None
    currency: str | None
    min_usd: float | None
    max_usd: float | None
    provenance: str | None  # field, parsed_from_text, none
    raw: str | None

    @property
    def figure(self) -> float | None:
        """The one budget figure (``store.budget_figure``): top of the range in USD, ``None`` if not given."""
        return budget_figure({f"budget_{k}": getattr(self, k) for k in BUDGET_FIELDS})

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in BUDGET_FIELDS}


@dataclass(frozen=True, slots=True)
class Competition:
    """How contested the posting is, as the source shows it (``None`` = the source does not say)."""

    proposals: int | None
    interviewing: int | None
    invites_sent: int | None
    unanswered_invites: int | None
    hires: int | None
    last_client_activity_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in COMPETITION_FIELDS}


@dataclass(frozen=True, slots=True)
class ClientSummary:
    """The client's stats as last stored (``None`` = unknown, never counted against the job)."""

    name: str | None
    payment_verified: bool | None
    total_spent: float | None
    jobs_posted: int | None
    jobs_with_hires: int | None
    hire_rate: float | None
    open_jobs: int | None
    reviews_count: int | None
    rating: float | None
    member_since: datetime | None
    country: str | None

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


#: The client's fields as the listing query names them (``client_`` + the clients column).
CLIENT_COLUMNS = tuple(f"client_{f.name}" for f in fields(ClientSummary))


@dataclass(frozen=True, slots=True)
class OutcomeObserved:
    """When the outcome was last observed and from which field of the source."""

    at: datetime
    source_field: str | None

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at, "source_field": self.source_field}


@dataclass(frozen=True, slots=True)
class Job:
    """One listed job: the posting, its latest score, its client and its observed outcome.

    Field names are the keys of the documented JSON object (``to_json``).
    """

    id: int
    source: str
    external_id: str
    url: str
    title: str
    description: str | None
    posted_at: datetime | None
    first_seen_at: datetime
    last_seen_at: datetime
    gone_at: datetime | None
    seen_count: int
    budget: Budget | None
    category: str | None
    skills: tuple[str, ...]
    country: str | None
    experience_level: str | None
    company: str | None
    job_type: str | None
    location: str | None
    remote: bool | None
    competition: Competition
    client: ClientSummary | None
    quality: float | None  # None: not scored yet
    flags: tuple[str, ...]
    ghost_probability: float | None
    payment_status: str | None
    lowball_ratio: float | None
    lowball_percentile: float | None
    reasons: tuple[dict[str, Any], ...]
    model_version: str | None
    calibrated: bool | None  # the ghost figure is a probability only when calibrated (docs/scoring.md)
    ghost_basis: dict[str, Any] | None
    outcome: str | None
    outcome_observed: OutcomeObserved | None
    scored_at: datetime | None = None  # not part of the JSON object

    @property
    def budget_figure(self) -> float | None:
        """The figure the market compares and ``--min-budget`` filters on (``store.budget_figure``)."""
        return self.budget.figure if self.budget is not None else None

    @classmethod
    def from_row(cls, row: Any) -> Job:
        """A row of the listing SELECT (``store.queries.jobs_select``) or any mapping of its columns."""
        m: Mapping[str, Any] = row._mapping if hasattr(row, "_mapping") else row
        budget = None
        if m["budget_kind"] or m["budget_min"] is not None or m["budget_max"] is not None:
            budget = Budget(**{k: m[f"budget_{k}"] for k in BUDGET_FIELDS})
        values = {k.removeprefix("client_"): m[k] for k in CLIENT_COLUMNS}
        client = ClientSummary(**values) if any(v is not None for v in values.values()) else None
        observed_at = m["outcome_observed_at"]
        return cls(
            id=m["id"],
            source=m["source"],
            external_id=m["external_id"],
            url=m["url"],
            title=m["title"],
            description=m["description_text"],
            posted_at=m["posted_at"],
            first_seen_at=m["first_seen_at"],
            last_seen_at=m["last_seen_at"],
            gone_at=m["gone_at"],
            seen_count=m["seen_count"],
            budget=budget,
            category=m["category"],
            skills=tuple(m["skills"] or ()),
            country=m["country"],
            experience_level=m["experience_level"],
            company=m["company"],
            job_type=m["job_type"],
            location=m["location"],
            remote=m["remote"],
            competition=Competition(**{k: m[k] for k in COMPETITION_FIELDS}),
            client=client,
            quality=m["quality"],
            flags=tuple(m["flags"] or ()),
            ghost_probability=m["ghost_probability"],
            payment_status=m["payment_status"],
            lowball_ratio=m["lowball_ratio"],
            lowball_percentile=m["lowball_percentile"],
            reasons=tuple(m["reasons"] or ()),
            model_version=m["model_version"],
            calibrated=None if m["quality"] is None else bool((m["ghost_basis"] or {}).get("calibrated")),
            ghost_basis=m["ghost_basis"],
            outcome=m["outcome"],
            outcome_observed=(
                OutcomeObserved(at=observed_at, source_field=m["outcome_source_field"])
                if observed_at is not None
                else None
            ),
            scored_at=m.get("scored_at"),
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON object documented in the README (datetimes left for the encoder to write)."""
        return {
            "id": self.id,
            "source": self.source,
            "external_id": self.external_id,
            "url": self.url,
            "title": self.title,
            "description": self.description,
            "posted_at": self.posted_at,
            "first_seen_at": self.first_seen_at,
            "last_seen_at": self.last_seen_at,
            "gone_at": self.gone_at,
            "seen_count": self.seen_count,
            "budget": self.budget.to_json() if self.budget is not None else None,
            "category": self.category,
            "skills": list(self.skills),
            "country": self.country,
            "experience_level": self.experience_level,
            "company": self.company,
            "job_type": self.job_type,
            "location": self.location,
            "remote": self.remote,
            "competition": self.competition.to_json(),
            "client": self.client.to_json() if self.client is not None else None,
            "quality": self.quality,
            "flags": list(self.flags),
            "ghost_probability": self.ghost_probability,
            "payment_status": self.payment_status,
            "lowball_ratio": self.lowball_ratio,
            "lowball_percentile": self.lowball_percentile,
            "reasons": list(self.reasons),
            "model_version": self.model_version,
            "calibrated": self.calibrated,
            "ghost_basis": self.ghost_basis,
            "outcome": self.outcome,
            "outcome_observed": self.outcome_observed.to_json() if self.outcome_observed is not None else None,
        }


@dataclass(frozen=True, slots=True)
class JobDetail:
    """What the detail page shows beyond the listing: the stored HTML and the latest score's inputs."""

    description_html: str | None
    features: dict[str, Any] | None
    scored_at: datetime | None
