"""The feature dict of one posting: every input the rules and the model use, as plain JSON values.

``None`` means unknown and is kept as ``None`` (never 0 or False). The dict is stored with each
score, so a score can be recomputed from it alone (``jobsift explain``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jobsift.config import Config
from jobsift.scoring import flags
from jobsift.scoring.linear import bounded
from jobsift.scoring.market import Market
from jobsift.scoring.text import signals, word_count
from jobsift.store.budget_figure import budget_figure
from jobsift.store.records import ClientSummary
from jobsift.store.scoring_records import CLIENT_FIELDS, PostingForScoring

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Settings:
    """The parts of the config that scoring reads, frozen into every feature dict."""

    ghost_threshold: float = 0.6
    lowball_percentile: float = 10.0
    floor_fixed: float | None = None
    floor_hourly: float | None = None
    keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    blocked: tuple[str, ...] = field(default=())

    @classmethod
    def from_config(cls, cfg: Config) -> Settings:
        fl = cfg.filters
        return cls(
            ghost_threshold=cfg.scoring.ghost_threshold,
            lowball_percentile=cfg.scoring.lowball_percentile,
            floor_fixed=fl.budget_floor_fixed,
            floor_hourly=fl.budget_floor_hourly,
            keywords=tuple(k.lower() for k in fl.keywords),
            exclude_keywords=tuple(k.lower() for k in fl.exclude_keywords),
            skills=tuple(k.lower() for k in fl.skills),
            countries=tuple(k.lower() for k in fl.countries),
            blocked=tuple(k.strip().lower() for k in fl.blocked_clients),
        )


def _days(later: datetime, earlier: datetime | None) -> float | None:
    if earlier is None:
        return None
    return round(max(0.0, (later - earlier).total_seconds() / 86400), 2)


def budget_usd(p: Row | PostingForScoring) -> float | None:
    """The figure compared with the market: ``jobsift.store.budget_figure`` (one definition)."""
    return p.budget_figure if isinstance(p, PostingForScoring) else budget_figure(p)


def _filters(p: PostingForScoring, c: ClientSummary, s: Settings) -> dict[str, Any]:
    text = bounded(f"{p.title or ''} {p.description_text or ''}").lower()
    skills = [str(x).lower() for x in (p.skills or [])]
    out: dict[str, Any] = {
        "filter_keyword_match": any(k in text for k in s.keywords) if s.keywords else None,
        "filter_excluded_keyword": next((k for k in s.exclude_keywords if k in text), None),
        "filter_skill_matches": (
            sum(1 for k in s.skills if any(k in sk for sk in skills) or k in text) if s.skills else None
        ),
        "filter_country_ok": None,
        "filter_blocked_client": False,
    }
    country = c.country or p.country
    if s.countries and country:
        out["filter_country_ok"] = str(country).lower() in s.countries
    names = {str(v).strip().lower() for v in (c.name, p.company) if v}
    out["filter_blocked_client"] = bool(names & set(s.blocked))
    return out


NO_CLIENT = ClientSummary(**dict.fromkeys(CLIENT_FIELDS))


def build_features(
    p: PostingForScoring,
    c: ClientSummary | None,
    *,
    now: datetime,
    market: Market,
    settings: Settings,
    reposts: int | None,
    relists: int | None,
    text_scam_prob: float | None,
    text_prior: float | None,
) -> dict[str, Any]:
    """All inputs of one posting's score. ``p`` is the stored posting, ``c`` its client's stats or None."""
    c = c or NO_CLIENT
    usd = p.budget_figure
    kind = p.budget.kind
    comp = p.competition
    f: dict[str, Any] = {
        "payment_verified": c.payment_verified,
        "client_hire_rate": c.hire_rate,
        "client_jobs_posted": c.jobs_posted,
        "client_jobs_with_hires": c.jobs_with_hires,
        "client_total_spent": c.total_spent,
        "client_open_jobs": c.open_jobs,
        "client_reviews_count": c.reviews_count,
        "client_rating": c.rating,
        "client_age_days": _days(now, c.member_since),
        "proposals": comp.proposals,
        "interviewing": comp.interviewing,
        "hires": comp.hires,
        "invites_sent": comp.invites_sent,
        "unanswered_invites": comp.unanswered_invites,
        "days_since_client_activity": _days(now, comp.last_client_activity_at),
        "days_listed": _days(p.last_seen_at or now, p.posted_at or p.first_seen_at),
        "days_since_first_seen": _days(now, p.first_seen_at),
        "reposts": reposts,
        "relists": relists,
        "description_words": (word_count(bounded(p.description_text)) if p.description_text is not None else None),
        "text_scam_prob": None if text_scam_prob is None else round(float(text_scam_prob), 6),
        "text_prior": text_prior,
        "budget_kind": kind,
        "budget_usd": usd,
        "experience_level": p.experience_level,
        "ghost_threshold": settings.ghost_threshold,
        "lowball_percentile": settings.lowball_percentile,
        "floor_fixed": settings.floor_fixed,
        "floor_hourly": settings.floor_hourly,
        "market_key": None,
        "market_label": None,
        "market_n": None,
        "market_median": None,
        "market_percentile": None,
        "market_threshold_usd": None,
    }
    for code, v in signals(p.title or "", p.description_text).items():
        f["text_" + code] = v
    f.update(flags.text_features(p.title or "", p.description_text))
    if usd is not None and kind in ("fixed", "hourly"):
        skills: Sequence[str] = list(p.skills or [])
        if p.category:
            skills = [*skills, str(p.category)]
        match = market.match(kind, p.experience_level, skills, title=bounded(p.title or ""))
        if match is not None:
            f.update(
                market_key=match.key,
                market_label=match.cell.label,
                market_n=match.cell.n,
                market_median=match.cell.median,
                market_percentile=match.cell.percentile_of(usd),
                market_threshold_usd=round(match.cell.quantile(settings.lowball_percentile), 2),
            )
    f.update(_filters(p, c, settings))
    return f
