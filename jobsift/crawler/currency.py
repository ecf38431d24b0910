"""USD conversion from a shipped, dated rate table (``jobsift/data/usd_rates.json``).

An unknown currency gives ``None``: an amount is never converted with a guessed rate.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

RATES_PATH = Path(__file__).resolve().parent.parent / "data" / "usd_rates.json"


@cache
def _table() -> tuple[date, dict[str, float]]:
    data = json.loads(RATES_PATH.read_text(encoding="utf-8"))
    per_usd = {str(k).upper(): float(v) for k, v in data["per_usd"].items() if float(v) > 0}
    return date.fromisoformat(data["as_of"]), per_usd


def rates_date() -> date:
    """The day the shipped rates were taken."""
    return _table()[0]


@cache
def known_currencies() -> frozenset[str]:
    return frozenset(_table()[1])


def normalize_code(code: object) -> str | None:
    """An upper-case 3-letter code, or None when ``code`` is not one."""
    if not isinstance(code, str):
        return None
    text = code.strip().upper()
    return text if len(text) == 3 and text.isalpha() else None


def to_usd(amount: float | None, code: str | None) -> float | None:
    """``amount`` of currency ``code`` in US dollars (2 decimals); None if either is unknown."""
    if amount is None or code is None:
        return None
    rate = _table()[1].get(code.upper())
    if rate is None:
        return None
    return round(float(amount) / rate, 2)
