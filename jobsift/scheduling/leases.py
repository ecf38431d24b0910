"""Source leases for the daemon and the workers: when a source is due again, and the store's leases.

The leases themselves (claim with ``SELECT ... FOR UPDATE SKIP LOCKED``, renew, release, the
start-up lock) are rows of the store's ``sources`` table, read and written by
``jobsift.store.leases``; this module adds the scheduling policy (interval + jitter).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from jobsift.config import Config
from jobsift.store.leases import (
    SourceState,
    claim_due,
    earliest_available,
    release,
    release_dead_local,
    renew,
    setup_lock,
    states,
)
from jobsift.store.runs import abort_orphaned_runs

__all__ = [
    "SourceState",
    "abort_orphaned_runs",
    "claim_due",
    "earliest_available",
    "next_due",
    "release",
    "release_dead_local",
    "renew",
    "setup_lock",
    "states",
]


def next_due(cfg: Config, name: str, now: datetime, rng: random.Random | None = None) -> datetime:
    """When ``name`` is due again: its interval plus a random part of the jitter (spreads load)."""
    src = cfg.source(name)
    jitter = max(0.0, cfg.schedule.jitter_seconds)
    extra = (rng or random).uniform(0.0, jitter) if jitter else 0.0
    return now + timedelta(minutes=src.interval_minutes, seconds=extra)
