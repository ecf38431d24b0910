"""The one budget figure: what the market compares and what ``--min-budget`` filters on.

A posting's budget is "the top of its range, in USD": the converted ``budget_max_usd`` (or
``budget_min_usd``), else the native amounts when the currency is USD or not stated (sources
that print ``5000`` mean dollars, and scoring has always judged them so). Zero or less means
"not given". Scoring (``scoring.features``, the market history in ``scoring.score``), the
listing filter (``store.queries``) and the report all read it from here, in Python or SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, case, func

from jobsift.store.schema import postings


def budget_figure(p: Mapping[str, Any]) -> float | None:
    """The figure for one postings row (or any mapping with the ``budget_*`` column names)."""
    v = p.get("budget_max_usd") if p.get("budget_max_usd") is not None else p.get("budget_min_usd")
    if v is None and (p.get("budget_currency") or "USD").upper() == "USD":
        v = p.get("budget_max") if p.get("budget_max") is not None else p.get("budget_min")
    return float(v) if v is not None and float(v) > 0 else None


def budget_figure_sql(c: Any = None) -> ColumnElement[Any]:
    """The same figure as a SQL expression over ``c`` (the postings columns by default)."""
    c = postings.c if c is None else c
    value = case(
        (c.budget_max_usd.is_not(None), c.budget_max_usd),
        (c.budget_min_usd.is_not(None), c.budget_min_usd),
        (func.upper(func.coalesce(c.budget_currency, "USD")) == "USD", func.coalesce(c.budget_max, c.budget_min)),
        else_=None,
    )
    return case((value > 0, value), else_=None)
