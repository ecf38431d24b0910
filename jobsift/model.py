"""The normalised records every part of jobsift shares.

``None`` always means "the source does not say". Unknown is never turned into ``False`` or ``0``
and is never scored as bad.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from typing import Any, Literal

BudgetKind = Literal["fixed", "hourly", "salary_year", "salary_month"]
BUDGET_KINDS: tuple[str, ...] = ("fixed", "hourly", "salary_year", "salary_month")
Provenance = Literal["field", "parsed_from_text", "none"]
PaymentStatus = Literal["verified", "unverified", "unknown"]

#: Flag codes live with their flags: ``jobsift.scoring.flags.flag_codes()``.


@dataclass(frozen=True, slots=True)
class Budget:
    """What the client offers to pay, as the source states it, plus USD equivalents."""

    kind: BudgetKind | None = None
    min: float | None = None
    max: float | None = None
    currency: str | None = None
    min_usd: float | None = None
    max_usd: float | None = None
    provenance: Provenance = "none"
    raw: str | None = None

    @property
    def is_known(self) -> bool:
        return self.min is not None or self.max is not None


@dataclass(frozen=True, slots=True)
class Client:
    """The person or company posting, as far as the source reveals them."""

    key: str | None = None
    name: str | None = None
    payment_verified: bool | None = None
    total_spent: float | None = None
    jobs_posted: int | None = None
    jobs_with_hires: int | None = None
    hire_rate: float | None = None
    open_jobs: int | None = None
    reviews_count: int | None = None
    rating: float | None = None
    member_since: datetime | None = None
    country: str | None = None

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self) if f.name != "key")


@dataclass(frozen=True, slots=True)
class Competition:
    """How crowded a posting is and how alive its client looks."""

    proposals: int | None = None
    interviewing: int | None = None
    invites_sent: int | None = None
    unanswered_invites: int | None = None
    hires: int | None = None
    last_client_activity_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Posting:
    """One job posting, normalised. Natural key: ``(source, external_id)``."""

    source: str
    external_id: str
    url: str
    title: str
    description_text: str | None = None
    description_html: str | None = None
    posted_at: datetime | None = None
    budget: Budget | None = None
    category: str | None = None
    skills: tuple[str, ...] = ()
    country: str | None = None
    experience_level: str | None = None
    company: str | None = None
    job_type: str | None = None
    location: str | None = None
    remote: bool | None = None
    competition: Competition | None = None
    client: Client | None = None
    raw: Mapping[str, Any] | None = None
    # Filled by the store, never by a parser.
    id: int | None = None
    first_seen_at: datetime | None = None
    last_seen_at: datetime | None = None
    gone_at: datetime | None = None
    seen_count: int | None = None
    sightings: int | None = None

    def with_source(self, source: str) -> Posting:
        return replace(self, source=source)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Reason:
    """One checkable statement behind a flag or score."""

    code: str
    text: str
    value: float | str | None = None
    reference: float | str | None = None
    contribution: float | None = None
    flag: str | None = None


@dataclass(frozen=True, slots=True)
class Score:
    """The verdict on one posting, reproducible from ``features`` and ``model_version``."""

    quality: float
    flags: tuple[str, ...] = ()
    ghost_probability: float | None = None
    #: How the ghost figure may be worded: ``jobsift.scoring.evidence.basis`` (calibrated or not, ...).
    ghost_basis: Mapping[str, Any] | None = None
    payment_status: PaymentStatus = "unknown"
    lowball_ratio: float | None = None
    lowball_percentile: float | None = None
    reasons: tuple[Reason, ...] = ()
    features: Mapping[str, Any] = field(default_factory=dict)
    model_version: str = "rules"


@dataclass(slots=True)
class ParseResult:
    """What a parser made of one body. ``bozo`` says the input was broken but salvaged."""

    postings: list[Posting] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    bozo: bool = False
    items_seen: int = 0
    next_url: str | None = None
    left_out: int = 0  # usable items the source's own options filtered out (not a sign of breakage)


@dataclass(frozen=True, slots=True)
class Observation:
    """What a source says about a posting's outcome: ``open``, ``hired``, ``closed_no_hire`` or ``unknown``,
    with the field it came from and that field's value (never guessed: no field, ``unknown``)."""

    outcome: str
    source_field: str
    value: str | None = None

    @property
    def resolved(self) -> bool:
        return self.outcome in ("hired", "closed_no_hire")
