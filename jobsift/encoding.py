"""Plain encodings shared by every output (CLI, export, webhooks): JSON values and safe CSV cells."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any


def json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | tuple):
        return list(value)
    return str(value)


CSV_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas (R19): a cell starting with = + - @ gets a quote."""
    if isinstance(value, list | dict):
        value = json.dumps(value, default=json_default, ensure_ascii=False)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(CSV_DANGEROUS):
        return "'" + value
    return value
