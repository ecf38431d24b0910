"""Postings and stores for the scoring tests (text written for these tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from jobsift.config import Config, load_config
from jobsift.model import Budget, Client, Competition, Posting
from jobsift.store.postings import upsert_postings
from jobsift.store.schema import scores

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
LONG_TEXT = (
    "We run a small online shop selling hand-made ceramics and need help moving the catalogue to a new "
    "platform. The work covers product import, collection pages, shipping rules and a short handover call. "
    "You will work with our designer and get access to a staging store from day one."
)


def budget(kind: str, amount: float | None) -> Budget | None:
    if amount is None:
        return None
    return Budget(
        kind=kind,
        min=amount,
        max=amount,
        currency="USD",
        min_usd=amount,
        max_usd=amount,  # type: ignore[arg-type]
        provenance="field",
        raw=f"${amount}",
    )


def posting(
    ext: str,
    *,
    source: str = "s",
    title: str = "Shopify catalogue migration for a ceramics shop",
    description: str | None = LONG_TEXT,
    kind: str = "fixed",
    amount: float | None = 400.0,
    skills: tuple[str, ...] = ("Shopify",),
    client: Client | None = None,
    competition: Competition | None = None,
    level: str | None = None,
    **kw: Any,
) -> Posting:
    return Posting(
        source=source,
        external_id=ext,
        url=f"https://jobs.test/{source}/{ext}",
        title=title,
        description_text=description,
        budget=budget(kind, amount),
        skills=skills,
        client=client,
        competition=competition,
        experience_level=level,
        **kw,
    )


GOOD_CLIENT = Client(
    key="good",
    name="Good Co",
    payment_verified=True,
    total_spent=25_000.0,
    jobs_posted=20,
    jobs_with_hires=16,
    hire_rate=0.8,
    open_jobs=1,
    member_since=T0 - timedelta(days=900),
)
BAD_CLIENT = Client(
    key="bad",
    name="Never Hires Ltd",
    payment_verified=False,
    total_spent=0.0,
    jobs_posted=30,
    jobs_with_hires=0,
    hire_rate=0.0,
    open_jobs=12,
    member_since=T0 - timedelta(days=400),
)


def store(engine: Engine, items: list[Posting], when: datetime = T0, source: str | None = None) -> None:
    by_source: dict[str, list[Posting]] = {}
    for p in items:
        by_source.setdefault(source or p.source, []).append(p)
    with engine.begin() as conn:
        for src, ps in by_source.items():
            upsert_postings(conn, src, ps, when)


def config(db_url: str, **scoring: Any) -> Config:
    data: dict[str, Any] = {"database": {"url": db_url}}
    filters = scoring.pop("filters", None)
    if filters:
        data["filters"] = filters
    if scoring:
        data["scoring"] = scoring
    from jobsift.config import config_from_dict

    return config_from_dict(data, env={})


def latest(engine: Engine) -> dict[str, Any]:
    """external_id → latest scores row (as a dict)."""
    from jobsift.store.schema import postings

    with engine.connect() as conn:
        rows = conn.execute(
            select(postings.c.external_id, scores)
            .join(scores, scores.c.posting_id == postings.c.id)
            .where(scores.c.is_latest.is_(True))
        ).all()
    return {r.external_id: dict(r._mapping) for r in rows}


__all__ = [
    "BAD_CLIENT",
    "GOOD_CLIENT",
    "LONG_TEXT",
    "T0",
    "Competition",
    "budget",
    "config",
    "latest",
    "load_config",
    "posting",
    "store",
]
