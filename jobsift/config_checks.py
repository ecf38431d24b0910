"""Checks a setting must pass when the config loads (R36): number ranges, URLs, SQLite paths.

Each failure is a :class:`~jobsift.errors.ConfigError` of one line naming the key.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jobsift.errors import ConfigError

#: Allowed numbers: (lowest, highest, lowest itself excluded). Checked for the file and JOBSIFT_* alike.
POSITIVE = (0.0, None, True)
NON_NEGATIVE = (0.0, None, False)
PERCENT = (0.0, 100.0, False)
RANGES: dict[str, tuple[float | None, float | None, bool]] = {
    "fetch.connect_timeout": (0.0, 3600.0, True),
    "fetch.read_timeout": (0.0, 3600.0, True),
    "fetch.total_timeout": (0.0, 86_400.0, True),
    "fetch.max_bytes": (1.0, 2.0**40, False),
    "fetch.max_redirects": (0.0, 50.0, False),
    "fetch.retries": (1.0, 20.0, False),
    "fetch.backoff_base": NON_NEGATIVE,
    "fetch.backoff_max": NON_NEGATIVE,
    "fetch.max_retry_after": NON_NEGATIVE,
    "fetch.per_host_delay": NON_NEGATIVE,
    "fetch.per_host_concurrency": (1.0, 1000.0, False),
    "fetch.concurrency": (1.0, 1000.0, False),
    "fetch.robots_ttl": NON_NEGATIVE,
    "sources.interval_minutes": POSITIVE,
    "filters.min_quality": PERCENT,
    "filters.budget_floor_fixed": NON_NEGATIVE,
    "filters.budget_floor_hourly": NON_NEGATIVE,
    "scoring.lowball_percentile": (0.0, 100.0, True),
    "scoring.ghost_threshold": (0.0, 1.0, False),
    "scoring.market_min_samples": (1.0, None, False),
    "smtp.port": (1.0, 65535.0, False),
    "smtp.timeout": (0.0, 3600.0, True),
    "digest.max_items": (1.0, 1000.0, False),
    "digest.per_client_cap": (1.0, 1000.0, False),
    "digest.min_quality": PERCENT,
    "webhooks.min_quality": PERCENT,
    "schedule.jitter_seconds": NON_NEGATIVE,
    "schedule.misfire_grace_seconds": NON_NEGATIVE,
    "schedule.lease_seconds": POSITIVE,
    "schedule.prune_days": (1.0, None, False),
    "schedule.score_history_days": NON_NEGATIVE,
    "serve.port": (1.0, 65535.0, False),
    "serve.page_size": (1.0, 500.0, False),
}


def check_range(key: str, value: Any) -> None:
    """Refuse a number outside its setting's range (or not finite), naming the key."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{key}: {value!r} is not a finite number")
    lo, hi, open_lo = RANGES.get(re.sub(r"\[\d+\]", "", key), (None, None, False))
    too_low = lo is not None and (value <= lo if open_lo else value < lo)
    too_high = hi is not None and value > hi
    if too_low or too_high:
        low = "" if lo is None else f"{'more than' if open_lo else 'at least'} {lo:g}"
        high = "" if hi is None else f"at most {hi:g}"
        raise ConfigError(f"{key}: {value!r} is out of range (must be {' and '.join(x for x in (low, high) if x)})")


def check_http_url(key: str, url: str) -> None:
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        hint = f" (did you mean 'https://{url.strip()}'?)" if not parts.scheme and url.strip() else ""
        raise ConfigError(f"{key}: {url[:120]!r} is not an http:// or https:// URL{hint}")


def check_db_url(url: str, key: str = "database.url") -> None:
    """Refuse, at load, a SQLite path that cannot be opened as written (a ``#`` or ``?`` in it)."""
    if not url.startswith("sqlite"):
        return
    path = url.split(":///", 1)[1] if ":///" in url else ""
    for char in "#?":
        if char in path:
            raise ConfigError(
                f"{key}: the SQLite path {path[:120]!r} contains {char!r}, which SQLite would "
                "read as the end of the file name: rename the file or its folder"
            )


def resolve_sqlite_path(url: str, folder: Path) -> str:
    """``sqlite:///rel.db`` → ``sqlite:////<folder>/rel.db``; absolute paths and ``:memory:`` stay."""
    if not url.startswith("sqlite") or ":///" not in url:
        return url
    head, path = url.split(":///", 1)
    if not path or path == ":memory:" or path.startswith(("/", "file:")):
        return url
    expanded = Path(path).expanduser()
    if expanded.is_absolute():
        return f"{head}:///{expanded}"
    return f"{head}:///{(folder.resolve() / expanded)}"
