"""The daily jobs beside crawling: the digest at ``digest.time`` and the prune at ``schedule.prune_time``.

Both are local times in ``digest.timezone``; the period is that local day. A job is due once
its local time has passed today and today's claim is not done, so a process started after the
time (downtime, a cron-driven ``worker --once``) still runs it, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine

from jobsift.config import Config
from jobsift.errors import ConfigError
from jobsift.redact import error_text, reason
from jobsift.scheduling.claims import claim_job, finish_job, is_done

log = logging.getLogger("jobsift.scheduling")

RETRY_SECONDS = 900.0  # a failed digest or prune is tried again this much later
JOB_LEASE_SECONDS = 1800.0  # a digest or prune running longer than this is presumed dead


def parse_hhmm(value: str, key: str) -> time:
    try:
        hh, mm = value.strip().split(":")
        return time(int(hh), int(mm))
    except ValueError:
        raise ConfigError(f"{key}: {value!r} is not HH:MM") from None


def zone(cfg: Config) -> ZoneInfo:
    try:
        return ZoneInfo(cfg.digest.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"digest.timezone: unknown timezone {cfg.digest.timezone!r}") from None


def find_digest_sender() -> Callable[..., Any]:
    """The publish area's digest function (a seam the tests replace)."""
    from jobsift.publish.digest import send_digests

    return send_digests


@dataclass(frozen=True)
class DailyJob:
    name: str  # digest | prune
    at: time
    tz: ZoneInfo
    run: Callable[[Engine, Config, str], Any]  # (engine, cfg, period) -> summary

    def due_period(self, now: datetime) -> str | None:
        """Today's period once today's local time has passed, else None."""
        local = now.astimezone(self.tz)
        return local.date().isoformat() if local.time() >= self.at else None


def _send_digest(engine: Engine, cfg: Config, period: str) -> Any:
    result = find_digest_sender()(engine, cfg, period=period)
    outcomes = getattr(result, "outcomes", None)
    if outcomes is None:
        return result
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "no recipients"
    if getattr(result, "failed", False):
        # Recipients already sent are skipped next time (the digests table); the failed are retried.
        raise RuntimeError(f"some recipients failed ({summary}); retried later")
    return summary


def _prune(engine: Engine, cfg: Config, period: str) -> Any:
    from jobsift.store.maintenance import prune

    # Sundays also VACUUM: SQLite reuses the space freed inside postings' pages only after it.
    sunday = date.fromisoformat(period).weekday() == 6
    return prune(
        engine, days=cfg.schedule.prune_days, score_history_days=cfg.schedule.score_history_days, vacuum=sunday
    )


def daily_jobs(cfg: Config) -> list[DailyJob]:
    """The daily jobs this config asks for (digest only with recipients; prune unless disabled)."""
    tz = zone(cfg)
    jobs: list[DailyJob] = []
    if cfg.digest.recipients:
        jobs.append(DailyJob("digest", parse_hhmm(cfg.digest.time, "digest.time"), tz, _send_digest))
    if cfg.schedule.prune_time.strip():
        jobs.append(DailyJob("prune", parse_hhmm(cfg.schedule.prune_time, "schedule.prune_time"), tz, _prune))
    return jobs


def run_if_due(engine: Engine, cfg: Config, job: DailyJob, owner: str, now: datetime) -> bool | None:
    """Run ``job`` for today if due and if this process wins the claim.

    True if it ran and succeeded, None if it ran and failed (retried after ``RETRY_SECONDS``),
    False if there was nothing to do.
    """
    period = job.due_period(now)
    if period is None or is_done(engine, job.name, period):
        return False
    if not claim_job(engine, job.name, period, owner, now=now, lease_seconds=JOB_LEASE_SECONDS):
        return False
    log.info("%s %s: started", job.name, period)
    try:
        summary = job.run(engine, cfg, period)
    except Exception as exc:  # noqa: BLE001 - record the failure; it is retried later
        why = reason(error_text(exc)) or ""
        log.error("%s %s: failed: %s", job.name, period, why)
        finish_job(engine, job.name, period, owner, now=datetime.now(now.tzinfo), error=why, retry_after=RETRY_SECONDS)
        return None
    finish_job(engine, job.name, period, owner, now=datetime.now(now.tzinfo))
    log.info("%s %s: done%s", job.name, period, f" ({summary})" if summary is not None else "")
    return True
