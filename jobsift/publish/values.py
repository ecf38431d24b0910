"""Values as people type them, made safe: lists, ages and numbers, bounded, with one line per problem."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

AGE_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([mhdw])$")
AGE_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MAX_TEXT = 200  # longer free text is cut: nobody types a 10 kB keyword
MAX_AGE_DAYS = 100_000  # 270 years: older than any job feed, well inside datetime's range
MIN_DATE = datetime(1970, 1, 1, tzinfo=UTC)
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def split_list(values: Iterable[str] | str | None) -> list[str]:
    """``["python, django", "go"]`` → ``["python", "django", "go"]`` (commas or repeats)."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        for part in _CONTROL.sub("", value[:MAX_TEXT]).split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out[:20]


def parse_age(value: str | None, now: datetime | None = None) -> datetime | None:
    """``2d``, ``12h``, ``30m``, ``1w`` → the moment that long ago; ISO dates pass through.

    Raises ``ValueError`` (one line) for text that is neither, for ages beyond ``MAX_AGE_DAYS`` and
    for dates before 1970 or that cannot be placed in UTC.
    """
    if not value:
        return None
    now = now or datetime.now(UTC)
    text = value.strip()
    m = AGE_RE.match(text.lower())
    if m:
        amount = float(m.group(1))
        delta = {"m": amount / 1440, "h": amount / 24, "d": amount, "w": amount * 7}[m.group(2)]
        if delta > MAX_AGE_DAYS:
            raise ValueError(f"{text[:40]!r} is too long ago (at most {MAX_AGE_DAYS}d)")
        return now - timedelta(days=delta)
    try:
        when = datetime.fromisoformat(text)
        when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise ValueError(f"{text[:40]!r} is not an age like 2d or 12h, nor an ISO date") from None
    if when < MIN_DATE:
        raise ValueError(f"{text[:40]!r} is before 1970")
    return when


def parse_number(
    value: str | float | None, name: str, problems: list[str], lo: float | None = None, hi: float | None = None
) -> float | None:
    """``value`` as a finite number within ``lo``..``hi``, or None with a line in ``problems``."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        problems.append(f"{name}: {str(value)[:40]!r} is not a number (ignored)")
        return None
    if number != number or number in (float("inf"), float("-inf")):
        problems.append(f"{name}: not a finite number (ignored)")
        return None
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        span = f"from {lo:g} to {hi:g}" if lo is not None and hi is not None else f"at least {lo:g}"
        problems.append(f"{name}: {num_text(number)} is out of range, {span} (ignored)")
        return None
    return number


def num_text(value: Any) -> str:
    """``5.0`` → ``5``: a number as a person would write it."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
