"""The store's recent fixed and hourly budgets, grouped, for the market scoring compares with."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import Connection, Text, and_, cast, func, select

from jobsift.store.budget_figure import budget_figure_sql
from jobsift.store.schema import postings
from jobsift.store.scoring_records import MarketGroup

HISTORY_LIMIT = 100_000
HISTORY_DAYS = 180


def market_history(
    conn: Connection, now: datetime, *, days: int = HISTORY_DAYS, limit: int = HISTORY_LIMIT
) -> list[MarketGroup]:
    """The last ``limit`` fixed/hourly budgets first seen within ``days``, grouped and counted.

    The database groups them by (kind, level, skills, category, amount): budgets repeat a lot ($5,
    $50, $500), so Python sees a few thousand groups instead of 100k rows. The amount is the one
    budget figure (``store.budget_figure``); zero or unknown amounts are left out.
    """
    c = postings.c
    recent = (
        select(
            c.budget_kind.label("kind"),
            c.experience_level.label("level"),
            cast(c.skills, Text).label("skills"),
            c.category.label("category"),
            budget_figure_sql().label("usd"),
        )
        .where(and_(c.budget_kind.in_(("fixed", "hourly")), c.first_seen_at >= now - timedelta(days=days)))
        .order_by(c.id.desc())
        .limit(limit)
        .subquery()
    )
    grouped = (
        select(recent.c.kind, recent.c.level, recent.c.skills, recent.c.category, recent.c.usd, func.count())
        .where(recent.c.usd > 0)
        .group_by(recent.c.kind, recent.c.level, recent.c.skills, recent.c.category, recent.c.usd)
    )
    out: list[MarketGroup] = []
    decoded: dict[str | None, tuple[str, ...]] = {None: ()}
    for kind, level, skills_json, category, usd, n in conn.execute(grouped):
        if skills_json not in decoded:
            value = json.loads(skills_json)
            decoded[skills_json] = tuple(str(x) for x in value) if isinstance(value, list) else ()
        out.append(MarketGroup(kind, level, decoded[skills_json], category, float(usd), int(n)))
    return out
