"""What the store hands to scoring: typed, frozen records, never ``dict[str, Any]`` rows.

``PostingForScoring`` is a postings row without the raw item and the HTML (scoring never reads
them); ``ClientForScoring`` its client's row; ``StoredScore`` a latest ``scores`` row as
``jobsift explain`` compares it; ``RepostFacts`` what decides whether a near-duplicate is a repost.
The store builds them (``store.pending``, ``store.scores``, ``store.fingerprints``); tests and the
simulated marketplace build them from plain mappings with ``from_mapping``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Self

from jobsift.store.budget_figure import figure


class _FromMapping:
    """``from_mapping``: the record from any mapping with (some of) its field names; missing = None."""

    __slots__ = ()

    @classmethod
    def from_mapping(cls, m: Mapping[Any, Any]) -> Self:
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in m.items() if k in names})


@dataclass(frozen=True, slots=True)
class PostingForScoring(_FromMapping):
    """One stored posting as scoring reads it."""

    id: int = 0
    source: str = ""
    external_id: str = ""
    url: str = ""
    title: str = ""
    description_text: str | None = None
    posted_at: datetime | None = None
    first_seen_at: datetime | None = None
    last_seen_at: datetime | None = None
    gone_at: datetime | None = None
    seen_count: int | None = None
    budget_kind: str | None = None
    budget_min: float | None = None
    budget_max: float | None = None
    budget_currency: str | None = None
    budget_min_usd: float | None = None
    budget_max_usd: float | None = None
    budget_provenance: str | None = None
    budget_raw: str | None = None
    category: str | None = None
    skills: tuple[str, ...] | None = None
    country: str | None = None
    experience_level: str | None = None
    company: str | None = None
    job_type: str | None = None
    location: str | None = None
    remote: bool | None = None
    proposals: int | None = None
    interviewing: int | None = None
    invites_sent: int | None = None
    unanswered_invites: int | None = None
    hires: int | None = None
    last_client_activity_at: datetime | None = None
    client_id: int | None = None
    content_hash: str | None = None
    fingerprint: str | None = None
    needs_scoring: bool | None = None
    score_error: str | None = None
    updated_at: datetime | None = None
    listed_at: datetime | None = None

    def __post_init__(self) -> None:
        if isinstance(self.skills, list):  # a JSON list from the store
            object.__setattr__(self, "skills", tuple(self.skills))

    @property
    def budget_figure(self) -> float | None:
        """The figure compared with the market (``jobsift.store.budget_figure``, one definition)."""
        return figure(self.budget_max_usd, self.budget_min_usd, self.budget_currency, self.budget_max, self.budget_min)


@dataclass(frozen=True, slots=True)
class ClientForScoring(_FromMapping):
    """A posting's client as scoring reads it (the current stats; ``stats_hash`` keys rescoring)."""

    id: int | None = None
    source: str | None = None
    client_key: str | None = None
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
    first_seen_at: datetime | None = None
    updated_at: datetime | None = None
    stats_hash: str | None = None


@dataclass(frozen=True, slots=True)
class StoredScore(_FromMapping):
    """A posting's latest ``scores`` row: the verdict as stored and the features it came from."""

    posting_id: int = 0
    scored_at: datetime | None = None
    model_version: str = ""
    quality: float = 0.0
    flags: tuple[str, ...] = ()
    ghost_probability: float | None = None
    ghost_basis: Mapping[str, Any] | None = None
    payment_status: str | None = None
    lowball_ratio: float | None = None
    lowball_percentile: float | None = None
    reasons: tuple[Mapping[str, Any], ...] = ()
    features: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:  # JSON lists (or NULL) from the store
        object.__setattr__(self, "flags", tuple(self.flags or ()))
        object.__setattr__(self, "reasons", tuple(self.reasons or ()))


@dataclass(frozen=True, slots=True)
class RepostFacts:
    """What decides whether a near-duplicate is a repost: fingerprint, source, client and company.

    The repost index keeps one per stored posting (``scoring.reposts.Entry`` is this record).
    """

    id: int
    fingerprint: str
    source: str
    client_id: int | None = None
    company: str | None = None


@dataclass(frozen=True, slots=True)
class MarketGroup:
    """One group of the store's recent budgets: how many postings share these values."""

    kind: str
    level: str | None
    skills: tuple[str, ...]
    category: str | None
    usd: float
    n: int
