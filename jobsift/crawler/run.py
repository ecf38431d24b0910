"""One crawl: for each source, fetch → parse → upsert in one transaction → record the outcome.

A failing source never stops the others; each source's batch commits or rolls back whole.
Outcomes: ok, not_modified, partial (salvaged, empty or shrunken feed), failed, blocked, deferred.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine

from jobsift.config import Config, SourceConfig
from jobsift.crawler.fetch import Fetcher
from jobsift.crawler.health import classify
from jobsift.crawler.request import check_source, fetch_source, parse_body
from jobsift.crawler.sources import get_format
from jobsift.errors import BlockedError, DeferredError, FetchError, JobsiftError, ParseError
from jobsift.model import ParseResult
from jobsift.redact import error_text, reason
from jobsift.store import outcomes, postings, runs, sources

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class SourceOutcome:
    name: str
    outcome: str
    reason: str | None = None
    items: int = 0
    new: int = 0
    updated: int = 0
    gone: int = 0
    status_code: int | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class CrawlReport:
    run_id: int
    status: str
    outcomes: list[SourceOutcome] = field(default_factory=list)
    stats: Counter[str] = field(default_factory=Counter)

    @property
    def new(self) -> int:
        return sum(o.new for o in self.outcomes)


ProgressFn = Callable[[SourceOutcome], None]


class Crawl:
    """Crawls a set of sources into one engine, recording one run."""

    def __init__(
        self,
        engine: Engine,
        cfg: Config,
        *,
        trigger: str = "cli",
        now: Callable[[], datetime] = utcnow,
        progress: ProgressFn | None = None,
        fetcher: Fetcher | None = None,
        log_outcomes: bool = True,
    ) -> None:
        """``log_outcomes=False`` when the caller prints each outcome itself (``jobsift crawl``'s
        table), so a failure is said once; the daemon and workers keep the WARNING line."""
        self.log_outcomes = log_outcomes
        self.engine = engine
        self.cfg = cfg
        self.trigger = trigger
        self.now = now
        self.progress = progress
        self.fetcher = fetcher
        self._write_lock = asyncio.Lock()
        self.stats: Counter[str] = Counter()
        self._state: dict[str, sources.FetchState] = {}
        self._baselines: dict[int, tuple[int | None, int | None]] = {}

    async def run(self, selected: Sequence[SourceConfig]) -> CrawlReport:
        with self.engine.begin() as conn:
            runs.abort_stale_runs(conn, self.now())
            sources.sync_sources(conn, self.cfg.sources)
            run_id = runs.start_run(conn, self.now(), self.trigger)
            self._preload(conn, [s.name for s in selected])
        report = CrawlReport(run_id=run_id, status="running")
        own_fetcher = self.fetcher is None
        fetcher = self.fetcher or Fetcher(self.cfg.fetch)
        limit = asyncio.Semaphore(self.cfg.fetch.concurrency)

        async def one(src: SourceConfig) -> None:
            async with limit:
                outcome = await self.crawl_source(fetcher, run_id, src)
            report.outcomes.append(outcome)
            if self.progress:
                self.progress(outcome)

        try:
            await asyncio.gather(*(one(s) for s in selected))
        finally:
            if own_fetcher:
                await fetcher.aclose()
            self.stats.update(fetcher.stats)
            report.stats = self.stats
            kinds = Counter(o.outcome for o in report.outcomes)
            if len(report.outcomes) < len(selected):
                report.status = "aborted"
            elif kinds["failed"] + kinds["blocked"] == len(selected) and selected:
                report.status = "failed"
            elif kinds["ok"] + kinds["not_modified"] == len(selected):
                report.status = "ok"
            else:
                report.status = "partial"
            with self.engine.begin() as conn:
                runs.finish_run(conn, run_id, self.now(), report.status, dict(self.stats))
        return report

    def _preload(self, conn: Connection, names: Sequence[str]) -> None:
        """Every selected source's fetch state and item baselines, read once for the run."""
        self._state.update(sources.fetch_states(conn, names))
        ids = [self._state[n].id for n in names if n in self._state]
        self._baselines.update(runs.item_baselines(conn, ids))

    async def crawl_source(self, fetcher: Fetcher, run_id: int, src: SourceConfig) -> SourceOutcome:
        started = self.now()
        state = self._state.get(src.name)
        if state is None or state.id not in self._baselines:
            with self.engine.connect() as conn:
                self._preload(conn, [src.name])
            state = self._state[src.name]
        last_ok_items, previous_items = self._baselines[state.id]
        rec = runs.FetchRecord(
            source_id=state.id,
            started_at=started,
            finished_at=started,
            outcome="failed",
            url=src.url,
            next_due_at=started + timedelta(minutes=src.interval_minutes),
        )
        out = SourceOutcome(name=src.name, outcome="failed")
        result: ParseResult | None = None
        try:
            fetched = await fetch_source(fetcher, src, state.etag, state.last_modified)
            rec.status_code, rec.bytes = fetched.status, len(fetched.body)
            rec.etag, rec.last_modified = fetched.etag, fetched.last_modified
            rec.stats = dict(fetched.stats)
            if fetched.not_modified:
                rec.outcome = "not_modified"
            else:
                result = parse_body(src, fetched.body, fetched.headers)
                rec.outcome, rec.reason = classify(result, last_ok_items, previous_items)
                self.stats["parse/bozo"] += int(result.bozo)
        except DeferredError as exc:
            rec.outcome, rec.reason = "deferred", str(exc)
            if exc.retry_after:
                rec.next_due_at = started + timedelta(seconds=exc.retry_after)
        except BlockedError as exc:
            # robots.txt unreadable (5xx, timeout): not a refusal, so try again next run.
            rec.outcome = "deferred" if exc.reason == "robots_unavailable" else "blocked"
            rec.reason = f"{exc.reason}: {exc}"
            self.stats[f"robots/{'forbidden' if exc.reason == 'blocked_by_robots' else exc.reason}"] += 1
        except (FetchError, ParseError, JobsiftError) as exc:
            rec.outcome, rec.reason = "failed", f"{exc.reason}: {exc}"
        except Exception as exc:  # noqa: BLE001 - a bug in one parser must not sink the run
            log.error("source %s: internal error\n%s", src.name, traceback.format_exc())
            rec.outcome, rec.reason = "failed", f"internal error: {type(exc).__name__}: {exc}"
        out.outcome, out.reason, out.status_code = rec.outcome, rec.reason, rec.status_code
        async with self._write_lock:
            await asyncio.to_thread(self._store, run_id, src, rec, result, out)
        self.stats[f"source/{out.outcome}"] += 1  # after the store, which may still fail the source
        if "detail" in src.options and out.outcome in ("ok", "partial", "not_modified"):
            await self._enrich(fetcher, src, out)
        if out.outcome not in ("ok", "not_modified") and self.log_outcomes:
            log.warning("source %s: %s%s", src.name, out.outcome, f": {reason(out.reason)}" if out.reason else "")
        return out

    async def _enrich(self, fetcher: Fetcher, src: SourceConfig, out: SourceOutcome) -> None:
        from jobsift.crawler.enrich import enrich_source

        try:
            report = await enrich_source(self.engine, fetcher, src, now=self.now, write_lock=self._write_lock)
        except Exception as exc:  # noqa: BLE001 - enrichment is a bonus; never fail the source for it
            log.warning("source %s: detail enrichment skipped: %s", src.name, exc)
            out.warnings.append(f"detail enrichment skipped: {exc}")
            self.stats["enrich/skipped"] += 1
            return
        self.stats.update(report.stats)
        if report.errors:
            out.warnings.extend(report.errors[:3])

    def _store(
        self,
        run_id: int,
        src: SourceConfig,
        rec: runs.FetchRecord,
        result: ParseResult | None,
        out: SourceOutcome,
    ) -> None:
        now = self.now()
        rec.finished_at = now
        try:
            with self.engine.begin() as conn:
                if result is not None:
                    stats = postings.upsert_postings(conn, src.name, result.postings, now)
                    out.items, out.new, out.updated = len(result.postings), stats.new, stats.updated
                    out.warnings = result.warnings
                    rec.items, rec.new_items = out.items, stats.new
                    self.stats["store/new"] += stats.new
                    self.stats["store/updated"] += stats.updated
                    self.stats["store/refused"] += stats.refused
                    self.stats["outcomes/hired_in_listing"] += outcomes.record_listed_hires(
                        conn, src.name, result.postings, now
                    )
                    fmt = get_format(src.format)
                    if rec.outcome == "ok" and fmt.full_listing:
                        out.gone = postings.mark_gone(conn, src.name, (p.external_id for p in result.postings), now)
                elif rec.outcome == "not_modified":
                    postings.touch_listed(conn, src.name, now)
                runs.record_fetch(conn, run_id, rec)
        except Exception as exc:  # noqa: BLE001 - the batch rolled back; record why, go on
            # A database error is described by the driver's message: never the statement and its
            # parameters (19 KB for one feed), on one bounded, redacted line (R38).
            out.outcome, out.reason, out.new, out.updated = "failed", reason(f"store error: {error_text(exc)}"), 0, 0
            log.error("source %s: %s", src.name, out.reason)
            if getattr(exc, "statement", None) is None:
                log.debug("source %s: store failed\n%s", src.name, traceback.format_exc())
            rec.outcome, rec.reason, rec.items, rec.new_items = "failed", out.reason, None, None
            with self.engine.begin() as conn:
                runs.record_fetch(conn, run_id, rec)


def select_sources(cfg: Config, names: Sequence[str] | None = None) -> list[SourceConfig]:
    if names:
        return [cfg.source(n) for n in names]
    return [s for s in cfg.sources if s.enabled]


def crawl(
    engine: Engine,
    cfg: Config,
    names: Sequence[str] | None = None,
    *,
    trigger: str = "cli",
    progress: ProgressFn | None = None,
    now: Callable[[], datetime] = utcnow,
    log_outcomes: bool = True,
) -> CrawlReport:
    """Crawl the named (default: all enabled) sources once."""
    selected = select_sources(cfg, names)
    for src in selected:
        check_source(src)
    crawler = Crawl(engine, cfg, trigger=trigger, progress=progress, now=now, log_outcomes=log_outcomes)
    return asyncio.run(crawler.run(selected))
