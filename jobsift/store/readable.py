"""Every value a posting brings is readable by the store, or unknown (R35).

A source can send anything: a count of 5,000 digits, an amount of 1e308 or NaN, a date in year
9999, ``"sometimes"`` where a yes/no belongs, a budget kind nobody defined. Each such value becomes
``None`` (unknown) for that field alone: the posting and the rest of its source are kept, and
neither SQLite (64-bit integers) nor PostgreSQL (32-bit ``INTEGER``, JSON without NaN, text
without NUL, which is dropped) refuses the batch. Dates later than a day after the crawl are not
trusted (a 9999 date would sort first everywhere as "0 min ago"): they are unknown too, so
listings order by when jobsift first saw it.
"""

from __future__ import annotations

import math
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, get_args

from jobsift.model import BUDGET_KINDS, Budget, Client, Competition, Posting, Provenance

INT_MAX = 2**31 - 1  # PostgreSQL INTEGER
FLOAT_MAX = 1e15  # no budget, spend or rate is larger; beyond it a value is noise
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
ENUMS: dict[str, tuple[str, ...]] = {"kind": BUDGET_KINDS, "provenance": get_args(Provenance)}

T = TypeVar("T", Budget, Client, Competition, Posting)


def readable_int(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, float) and math.isfinite(v) and v.is_integer():
        v = int(v)
    return v if isinstance(v, int) and -INT_MAX - 1 <= v <= INT_MAX else None


def readable_float(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    try:
        f = float(v)
    except OverflowError:  # an int too large for a float
        return None
    return f if math.isfinite(f) and abs(f) <= FLOAT_MAX else None


def readable_time(v: Any, now: datetime) -> datetime | None:
    """An aware datetime from 1970 to a day after ``now``; anything else is unknown."""
    if not isinstance(v, datetime):
        return None
    try:
        aware = v if v.tzinfo is not None else v.replace(tzinfo=UTC)
        return aware if EARLIEST <= aware <= now + FUTURE_SLACK else None
    except OverflowError:
        return None


def _value(name: str, kind: str, v: Any, now: datetime) -> Any:
    if name in ENUMS:
        return v if v in ENUMS[name] else ("none" if name == "provenance" else None)
    if kind == "int | None":
        return readable_int(v)
    if kind == "float | None":
        return readable_float(v)
    if kind == "datetime | None":
        return readable_time(v, now)
    if kind == "bool | None":
        return v if isinstance(v, bool) else None
    if kind in ("str", "str | None"):
        return readable_text(v) if isinstance(v, str) else None
    if isinstance(v, dict | list):  # the raw item, kept for audit: JSON text without NUL either
        return readable_json(v)
    return v


def readable_text(v: str) -> str:
    """Text without NUL characters: PostgreSQL's text and JSON types refuse them (SQLite keeps them)."""
    return v.replace("\x00", "") if "\x00" in v else v


def readable_json(v: Any) -> Any:
    if isinstance(v, str):
        return readable_text(v)
    if isinstance(v, dict):
        return {readable_text(str(k)): readable_json(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [readable_json(x) for x in v]
    return v


def readable(obj: T, now: datetime) -> T:
    """``obj`` with every value its field cannot hold made unknown (nested budget, competition, client)."""
    changes: dict[str, Any] = {}
    for f in fields(obj):
        v = getattr(obj, f.name)
        if v is None:
            continue
        if isinstance(v, Budget | Client | Competition):
            new: Any = readable(v, now)  # type: ignore[type-var]  # a Budget, Client or Competition
        elif f.name == "skills":
            new = tuple(readable_text(s) for s in v if isinstance(s, str)) if isinstance(v, list | tuple) else ()
        else:
            new = _value(f.name, str(f.type), v, now)
        if new is not v:
            changes[f.name] = new
    return replace(obj, **changes) if changes else obj


def readable_posting(p: Posting, now: datetime) -> Posting:
    return readable(p, now)
