"""Crawl a set of sources this process has leased: renew while fetching, release each when done.

The crawl itself is ``jobsift.crawler.run.Crawl`` (one run row, one transaction per source).
Around it: a background task renews the leases every third of the lease period; each source
is released as soon as its batch is stored, with its next due time (interval + jitter); a
source left unfinished (cancelled at shutdown) is released without a new due time, so it is
due again at once for whoever looks next. The after-crawl steps (``jobsift.pipeline``: score,
then push to webhooks) follow every batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from jobsift.config import Config
from jobsift.crawler.fetch import Fetcher
from jobsift.crawler.politeness import Politeness
from jobsift.crawler.request import check_source
from jobsift.crawler.run import Crawl, CrawlReport, SourceOutcome
from jobsift.pipeline import Pipeline
from jobsift.scheduling import leases
from jobsift.store import runs, sources

log = logging.getLogger("jobsift.scheduling")


def utcnow() -> datetime:
    return datetime.now(UTC)


def start_up(engine: Engine, cfg: Config, now: datetime) -> None:
    """What a daemon or worker does before its first crawl: check the sources, sync them to the
    store, and clean up after processes that died (their leases and unfinished runs)."""
    for src in cfg.sources:
        check_source(src)
    with engine.begin() as conn:
        leases.setup_lock(conn)
        sources.sync_sources(conn, cfg.sources)
        freed = leases.release_dead_local(conn)
        aborted = runs.abort_stale_runs(conn, now)
        aborted += runs.abort_orphaned_runs(conn, now, lease_seconds=cfg.schedule.lease_seconds)
    if freed or aborted:
        log.info("interrupted before: %d runs marked aborted; sources freed: %s", aborted, ", ".join(freed) or "none")


def status_line(o: SourceOutcome, next_at: datetime | None) -> str:
    """One line per source and crawl: outcome, counts, why, when next."""
    parts = [f"source {o.name}: {o.outcome}"]
    if o.outcome in ("ok", "partial"):
        parts.append(f"{o.items} items, {o.new} new, {o.updated} updated, {o.gone} gone")
    if o.reason:
        parts.append(f"({o.reason})")
    if next_at is not None:
        parts.append(f"next {next_at.strftime('%Y-%m-%d %H:%M:%S')}Z")
    return " ".join(parts)


class BatchRunner:
    """Runs leased sources through the crawler; shared by the daemon and the worker."""

    def __init__(
        self,
        engine: Engine,
        cfg: Config,
        *,
        owner: str,
        trigger: str,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.cfg = cfg
        self.owner = owner
        self.trigger = trigger
        self.now = now
        # Score, then push to the configured webhooks, after every batch; the repost index stays warm.
        self.pipeline = Pipeline(engine, cfg, push=True, keep_index=True)
        self._score_lock = asyncio.Lock()
        # One politeness gate for the whole process: pacing and robots.txt outlive a batch.
        f = cfg.fetch
        self.politeness = Politeness(
            user_agent=f.user_agent,
            per_host_delay=f.per_host_delay,
            per_host_concurrency=f.per_host_concurrency,
            respect_robots=f.respect_robots,
            robots_ttl=f.robots_ttl,
        )

    async def run(self, names: Sequence[str]) -> CrawlReport:
        lease = self.cfg.schedule.lease_seconds
        selected = [self.cfg.source(n) for n in names]
        pending = set(names)

        def progress(o: SourceOutcome) -> None:
            pending.discard(o.name)
            try:
                next_at = self._next_due(o)
                leases.release(self.engine, self.owner, [o.name], next_due_at=next_at)
            except DBAPIError as exc:  # the lease lapses by itself; the batch is stored already
                log.error("source %s: cannot release its lease: %s", o.name, exc.orig)
                next_at = None
            log.info(status_line(o, next_at))

        renewer = asyncio.create_task(self._renew(pending, lease))
        fetcher = Fetcher(self.cfg.fetch, politeness=self.politeness)
        try:
            report = await Crawl(
                self.engine, self.cfg, trigger=self.trigger, progress=progress, fetcher=fetcher, now=self.now
            ).run(selected)
            await self.reobserve(fetcher, names)
        finally:
            renewer.cancel()
            left = sorted(pending)
            if left:  # interrupted: these stay due, for us or anyone else
                leases.release(self.engine, self.owner, left)
                log.info("released %d unfinished sources: %s", len(left), ", ".join(left))
            await asyncio.shield(fetcher.aclose())
        log.info(
            "run %d: %s, %d sources, %d new postings", report.run_id, report.status, len(report.outcomes), report.new
        )
        await self.score()
        return report

    def _next_due(self, o: SourceOutcome) -> datetime | None:
        now = self.now()
        if o.outcome == "deferred":  # the crawl stored the server's Retry-After as next_due_at
            with self.engine.connect() as conn:
                return sources.next_due_at(conn, o.name)
        return leases.next_due(self.cfg, o.name, now)

    async def _renew(self, pending: set[str], lease: float) -> None:
        while True:
            await asyncio.sleep(max(0.2, lease / 3))
            if not pending:
                continue
            names = sorted(pending)
            try:
                held = await asyncio.to_thread(
                    leases.renew, self.engine, self.owner, names, lease_seconds=lease, now=self.now()
                )
            except DBAPIError as exc:  # the database blinked: keep trying while the batch runs
                log.error("renewing %d leases failed (retrying): %s", len(names), exc)
                continue
            if held < len(names):
                log.warning("lost %d of %d leases (renewed too late?)", len(names) - held, len(names))

    async def reobserve(self, fetcher: Fetcher, names: Sequence[str]) -> None:
        """Ask the batch's re-askable sources about their due postings' outcomes (budgeted, polite)."""
        from jobsift.crawler.reobserve import reobserve

        try:
            result = await reobserve(self.engine, self.cfg, fetcher, names, now=self.now)
        except Exception as exc:  # noqa: BLE001 - re-observation must not stop crawling
            log.error("re-observation failed: %s", exc)
            return
        if result.requests:
            log.info(
                "re-observed %d postings: %d outcomes changed, %d resolved",
                result.requests,
                result.changed,
                result.resolved,
            )
        for name in result.over_budget:
            log.info("source %s: re-observation budget for today used up", name)

    async def score(self) -> None:
        """The after-crawl steps (score, push) for what the batch stored; one at a time in this process."""
        async with self._score_lock:
            after = await asyncio.to_thread(self.pipeline.after_crawl)
        if after.scored:
            log.info("scored %s postings", after.scored)
        if after.push is not None and (after.push.sent or after.push.failed):
            log.info("pushed %d jobs to webhooks, %d failed (retried next run)", after.push.sent, after.push.failed)


async def cancel_and_wait(tasks: set[asyncio.Task[Any]], timeout: float) -> None:
    """Cancel ``tasks`` and give them ``timeout`` seconds to record their end."""
    for task in tasks:
        task.cancel()
    if tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait(tasks, timeout=timeout)
