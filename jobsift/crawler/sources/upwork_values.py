"""Upwork's values as jobsift reads them: payment verification, experience tier, budget (US dollars
unless a currency code says otherwise). Shared code of the Upwork GraphQL format; registers nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobsift.crawler.budget import make_budget
from jobsift.crawler.sources.jsonutil import as_float, first
from jobsift.model import Budget

TIERS = {
    "entrylevel": "entry",
    "entry_level": "entry",
    "entry": "entry",
    "1": "entry",
    "intermediatelevel": "intermediate",
    "intermediate": "intermediate",
    "2": "intermediate",
    "expertlevel": "expert",
    "expert": "expert",
    "3": "expert",
}


def payment_status(value: Any) -> bool | None:
    """VERIFIED → True, UNVERIFIED/NOT_VERIFIED → False; anything else is unknown."""
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().upper()
    if text == "VERIFIED":
        return True
    if text in ("UNVERIFIED", "NOT_VERIFIED", "NOTVERIFIED"):
        return False
    return None


def tier(value: Any) -> str | None:
    return TIERS.get(str(value).strip().lower()) if value not in (None, "") else None


def budget(job: Mapping[str, Any], fixed: Any, lo: Any, hi: Any) -> Budget | None:
    kind = str(first(job, "jobType", "type", ("info", "type"), "engagementType") or "").upper()
    code = first(fixed, "isoCurrencyCode", "currencyCode", "currency") if isinstance(fixed, Mapping) else None
    raw_kind = "hourly" if "HOURLY" in kind or ((as_float(lo) or as_float(hi)) and "FIXED" not in kind) else "fixed"
    if raw_kind == "hourly":
        return make_budget(as_float(lo), as_float(hi), code or "USD", "hourly")
    amount = as_float(fixed)
    return make_budget(amount, amount, code or "USD", "fixed")
