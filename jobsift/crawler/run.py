"""One crawl: for each source, fetch → parse → upsert in one transaction → record the outcome.

A failing source never stops the others; each source's batch commits or rolls back whole.
Outcomes: ok, not_modified, partial (salvaged, empty or shrunken feed), failed, blocked, deferred.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, select, update

from jobsift.config import Config, FetchConfig, SourceConfig
from jobsift.crawler.fetch import Fetcher, FetchResult
from jobsift.crawler.health import classify, item_baselines
from jobsift.crawler.sources import get_format
from jobsift.errors import (
    BlockedError,
    ConfigError,
    DeferredError,
    FetchError,
    JobsiftError,
    ParseError,
)
from jobsift.model import ParseResult
from jobsift.redact import error_text, reason
from jobsift.store import outcomes, repo
from jobsift.store.schema import postings, sightings, sources

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


def check_source(src: SourceConfig) -> None:
    """Raise ``ConfigError`` for options the format or the crawler would refuse."""
    get_format(src.format).check_options(src.options, f"sources[{src.name}]")
    if "detail" in src.options:
        from jobsift.crawler.enrich import detail_options

        detail_options(src.options["detail"], f"sources[{src.name}].detail")


def parse_body(src: SourceConfig, body: bytes, headers: dict[str, str]) -> ParseResult:
    fmt = get_format(src.format)
    fmt.check_options(src.options, f"sources[{src.name}]")
    return fmt.parse(body, headers, source=src.name, options=fmt.parser_options(src.options))


def redirect_headers(src: SourceConfig) -> list[str]:
    """Header names the source allows to follow a redirect to another origin (``keep_headers_on_redirect``)."""
    raw = src.options.get("keep_headers_on_redirect") or []
    if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
        raise ConfigError(f"sources[{src.name}].keep_headers_on_redirect: expected a list of header names")
    return list(raw)


def request_options(src: SourceConfig) -> tuple[dict[str, str], bytes | None]:
    """Extra headers and POST body from a source's options; tokens come from the environment.

    The token is read here, at fetch time, and only ever travels in the request header: it is
    not stored, logged or handed to the parser.
    """
    opts = src.options
    raw_headers = opts.get("headers") or {}
    if not isinstance(raw_headers, dict):
        raise ConfigError(f"sources[{src.name}].headers: expected a table of header names to values")
    headers = {str(k): str(v) for k, v in raw_headers.items()}
    for key in ("auth_env", "token_env"):
        env_name = opts.get(key)
        if env_name:
            token = os.environ.get(str(env_name))
            if not token:
                raise ConfigError(f"sources[{src.name}].{key}: environment variable {env_name} is not set")
            headers["Authorization"] = f"Bearer {token}"
    body = None
    if opts.get("post_json") is not None:
        body = json.dumps(opts["post_json"]).encode()
        headers.setdefault("Content-Type", "application/json")
    return headers, body


async def fetch_source(fetcher: Fetcher, src: SourceConfig, etag: str | None, last_modified: str | None) -> FetchResult:
    if src.browser:
        from jobsift.crawler.browser import fetch_page

        return await fetch_page(src.url, fetcher=fetcher, options=src.options)
    own_fetch = get_format(src.format).fetch
    if own_fetch is not None and src.options.get("post_json") is None and not src.options.get("plain_get"):
        result: FetchResult = await own_fetch(fetcher, src)
        return result
    headers, body = request_options(src)
    if body is not None:  # a POST has no validators to send
        etag = last_modified = None
    return await fetcher.fetch(
        src.url,
        etag=etag,
        last_modified=last_modified,
        extra_headers=headers,
        post_body=body,
        keep_on_redirect=redirect_headers(src),
    )


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
        self._state: dict[str, Any] = {}
        self._baselines: dict[int, tuple[int | None, int | None]] = {}

    async def run(self, selected: Sequence[SourceConfig]) -> CrawlReport:
        with self.engine.begin() as conn:
            repo.abort_stale_runs(conn, self.now())
            repo.sync_sources(conn, self.cfg.sources)
            run_id = repo.start_run(conn, self.now(), self.trigger)
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
                repo.finish_run(conn, run_id, self.now(), report.status, dict(self.stats))
        return report

    def _preload(self, conn: Any, names: Sequence[str]) -> None:
        """Every selected source's fetch state and item baselines, read once for the run."""
        for start in range(0, len(names), 500):
            part = list(names[start : start + 500])
            self._state.update((r.name, r) for r in conn.execute(select(sources).where(sources.c.name.in_(part))))
        ids = [self._state[n].id for n in names if n in self._state]
        self._baselines.update(item_baselines(conn, ids))

    async def crawl_source(self, fetcher: Fetcher, run_id: int, src: SourceConfig) -> SourceOutcome:
        started = self.now()
        state = self._state.get(src.name)
        if state is None or state.id not in self._baselines:
            with self.engine.connect() as conn:
                self._preload(conn, [src.name])
            state = self._state[src.name]
        last_ok_items, previous_items = self._baselines[state.id]
        rec = repo.FetchRecord(
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
        rec: repo.FetchRecord,
        result: ParseResult | None,
        out: SourceOutcome,
    ) -> None:
        now = self.now()
        rec.finished_at = now
        try:
            with self.engine.begin() as conn:
                if result is not None:
                    stats = repo.upsert_postings(conn, src.name, result.postings, now)
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
                        out.gone = repo.mark_gone(conn, src.name, (p.external_id for p in result.postings), now)
                elif rec.outcome == "not_modified":
                    touch_listed(conn, src.name, now)
                repo.record_fetch(conn, run_id, rec)
        except Exception as exc:  # noqa: BLE001 - the batch rolled back; record why, go on
            # A database error is described by the driver's message: never the statement and its
            # parameters (19 KB for one feed), on one bounded, redacted line (R38).
            out.outcome, out.reason, out.new, out.updated = "failed", reason(f"store error: {error_text(exc)}"), 0, 0
            log.error("source %s: %s", src.name, out.reason)
            if getattr(exc, "statement", None) is None:
                log.debug("source %s: store failed\n%s", src.name, traceback.format_exc())
            rec.outcome, rec.reason, rec.items, rec.new_items = "failed", out.reason, None, None
            with self.engine.begin() as conn:
                repo.record_fetch(conn, run_id, rec)


def touch_listed(conn: Any, source: str, now: datetime) -> None:
    """A 304 means "same as before": every posting still listed was seen again now."""
    listed = select(postings.c.id).where(and_(postings.c.source == source, postings.c.gone_at.is_(None)))
    conn.execute(
        update(postings).where(and_(postings.c.source == source, postings.c.gone_at.is_(None))).values(last_seen_at=now)
    )
    conn.execute(
        update(sightings)
        .where(and_(sightings.c.posting_id.in_(listed), sightings.c.gone_at.is_(None)))
        .values(last_seen_at=now)
    )


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


async def _test_source(cfg: Config, src: SourceConfig) -> tuple[FetchResult, ParseResult]:
    async with Fetcher(cfg.fetch) as fetcher:
        fetched = await fetch_source(fetcher, src, None, None)
    return fetched, parse_body(src, fetched.body, fetched.headers)


def test_source(cfg: Config, name: str) -> tuple[FetchResult, ParseResult]:
    """Fetch and parse one source without storing anything."""
    return asyncio.run(_test_source(cfg, cfg.source(name)))


test_source.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


@dataclass(slots=True)
class ImportReport:
    files: int = 0
    items: int = 0
    new: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def import_files(
    engine: Engine,
    paths: Sequence[Path],
    fmt: str,
    source: str,
    *,
    options: dict[str, Any] | None = None,
    now: Callable[[], datetime] = utcnow,
    progress: Callable[[Path], None] | None = None,
    max_bytes: int | None = None,
) -> ImportReport:
    """Parse saved files with a format's parser and store them (one transaction per file).

    A file larger than ``max_bytes`` (the fetch body cap, ``fetch.max_bytes``) is refused unread;
    a file that cannot be read, parsed or stored is reported in one line and the next file goes on
    (R33, R35). The run row is always finished, even when the import is interrupted.
    """
    src = SourceConfig(name=source, format=fmt, url=f"file:{fmt}", options=options or {})
    get_format(fmt).check_options(src.options, "import")
    cap = max_bytes or FetchConfig().max_bytes
    report = ImportReport()
    with engine.begin() as conn:
        run_id = repo.start_run(conn, now(), "import")
    status = "aborted"
    try:
        for path in paths:
            report.files += 1
            try:
                _import_one(engine, src, path, cap, now, report)
            except (OSError, JobsiftError) as exc:
                report.errors.append(f"{path}: {reason(str(exc))}")
            except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others (R35)
                log.debug("import %s failed\n%s", path, traceback.format_exc())
                report.errors.append(f"{path}: {reason(f'{type(exc).__name__}: {error_text(exc)}')}")
            if progress:
                progress(path)
        status = "ok" if not report.errors else ("partial" if report.items else "failed")
    finally:
        with engine.begin() as conn:
            repo.finish_run(conn, run_id, now(), status, {"import/files": report.files, "store/new": report.new})
    return report


def _import_one(
    engine: Engine, src: SourceConfig, path: Path, max_bytes: int, now: Callable[[], datetime], report: ImportReport
) -> None:
    body = read_capped(path, max_bytes)
    result = parse_body(src, body, {})
    del body
    with engine.begin() as conn:
        repo.ensure_source(conn, src.name, src.format, src.url)
        stats = repo.upsert_postings(conn, src.name, result.postings, now())
    report.items += len(result.postings)
    report.new += stats.new
    report.updated += stats.updated
    if result.bozo:
        report.errors.append(f"{path}: partial ({'; '.join(result.warnings[:2])})")


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; a ``ParseError`` (``too_large``) if it holds more than ``max_bytes`` (checked
    again while reading, so a growing file or a device cannot get past the cap either)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise ParseError(
            f"refused: {size:,} bytes is over the {max_bytes:,}-byte cap (fetch.max_bytes)", reason="too_large"
        )
    with path.open("rb") as fh:
        body = fh.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise ParseError(f"refused: more than the {max_bytes:,}-byte cap (fetch.max_bytes)", reason="too_large")
    return body
