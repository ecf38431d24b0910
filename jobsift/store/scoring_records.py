"""What the store hands to scoring: typed, frozen records, never ``dict[str, Any]`` rows.

``PostingForScoring`` is a postings row without the raw item and the HTML (scoring never reads
them), its budget and competition as the listing's records (``store.records.Budget``,
``Competition``: one shape, one budget figure); ``ClientForScoring`` its client's row, the stats
as the listing's ``ClientSummary``; ``StoredScore`` a latest ``scores`` row as ``jobsift explain``
compares it; ``RepostFacts`` what decides whether a near-duplicate is a repost. The store builds
them (``store.pending``, ``store.scores``, ``store.fingerprints``); tests and the simulated
marketplace build them from plain mappings with ``from_mapping``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Self

from jobsift.store.records import BUDGET_FIELDS, COMPETITION_FIELDS, Budget, ClientSummary, Competition

NO_BUDGET = Budget(**dict.fromkeys(BUDGET_FIELDS))
NO_COMPETITION = Competition(**dict.fromkeys(COMPETITION_FIELDS))
CLIENT_FIELDS = tuple(f.name for f in fields(ClientSummary))


@dataclass(frozen=True, slots=True)
class PostingForScoring:
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
    #: Always a record (all ``None`` when the source gives no budget), so ``budget.kind`` is safe.
    budget: Budget = NO_BUDGET
    category: str | None = None
    skills: tuple[str, ...] | None = None
    country: str | None = None
    experience_level: str | None = None
    company: str | None = None
    job_type: str | None = None
    location: str | None = None
    remote: bool | None = None
    competition: Competition = NO_COMPETITION
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

    @classmethod
    def from_mapping(cls, m: Mapping[Any, Any]) -> Self:
        """From a postings row (or any mapping of its column names: ``budget_max_usd``, ``proposals``...).

        A name that is no such column is refused (``TypeError``): a typo must not read as "unknown".
        """
        m = dict(m)  # a store row's mapping: one copy, then plain dict lookups
        unknown = m.keys() - _POSTING_COLUMNS
        if unknown:
            raise TypeError(f"not a postings column scoring reads: {', '.join(sorted(map(str, unknown)))}")
        get = m.get
        return cls(
            budget=Budget(**dict(zip(BUDGET_FIELDS, map(get, _BUDGET_COLUMNS), strict=True))),
            competition=Competition(**{k: get(k) for k in COMPETITION_FIELDS}),
            **{k: v for k, v in m.items() if k in _OWN_FIELDS},
        )

    @property
    def budget_figure(self) -> float | None:
        """The figure compared with the market (``jobsift.store.budget_figure``, one definition)."""
        return self.budget.figure


#: The column names ``PostingForScoring.from_mapping`` reads (computed once, not per posting).
_OWN_FIELDS = frozenset(f.name for f in fields(PostingForScoring)) - {"budget", "competition"}
_BUDGET_COLUMNS = tuple(f"budget_{k}" for k in BUDGET_FIELDS)
_POSTING_COLUMNS = _OWN_FIELDS | set(_BUDGET_COLUMNS) | set(COMPETITION_FIELDS)


@dataclass(frozen=True, slots=True)
class ClientForScoring:
    """A posting's client as scoring reads it: its current stats and the hash that keys rescoring."""

    stats: ClientSummary
    id: int | None = None
    stats_hash: str | None = None

    @classmethod
    def from_mapping(cls, m: Mapping[Any, Any]) -> Self:
        """From a clients row (or any mapping of its column names; missing stats are unknown)."""
        return cls(ClientSummary(**{k: m.get(k) for k in CLIENT_FIELDS}), m.get("id"), m.get("stats_hash"))


@dataclass(frozen=True, slots=True)
class StoredScore:
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

    @classmethod
    def from_mapping(cls, m: Mapping[Any, Any]) -> Self:
        """From a ``scores`` row (its other columns, such as ``is_latest``, are left out)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in m.items() if k in names})

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
