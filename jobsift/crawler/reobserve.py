"""Re-observation: ask a source again what became of its postings, on a schedule, within a budget.

A format can be re-asked when it is in ``REASK`` (how to build the request and which pure function
reads the answer): Upwork GraphQL (job details by ciphertext, POSTed to the source's URL with its
headers) and Freelancer.com (the per-project endpoint on the source's host). Other formats only ever
show a posting vanishing from their listing (``gone``, censored, never a label).

Each due posting (``store.outcomes.due``: 1, 3, 7, 14, 30 days after first sight, until resolved) is
claimed, fetched through the crawl's polite ``Fetcher`` (robots.txt, per-host pacing, caps) and its
observation stored. A source gets at most ``outcomes.requests_per_source_per_day`` requests in 24 hours
and ``outcomes.max_per_run`` per call. robots.txt refusing the endpoint stops that source's checks for
the run; a failed request is recorded (it counts against the budget) and retried a day later.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from jobsift.config import Config, SourceConfig
from jobsift.crawler.fetch import Fetcher
from jobsift.crawler.sources import outcome_freelancer, outcome_upwork
from jobsift.errors import BlockedError, ConfigError, DeferredError, FetchError
from jobsift.model import Observation
from jobsift.store import outcomes as store

log = logging.getLogger(__name__)
ObserveFn = Callable[[bytes, Mapping[str, str]], Observation]


@dataclass(frozen=True, slots=True)
class Request:
    url: str
    headers: dict[str, str]
    body: bytes | None = None


@dataclass(frozen=True, slots=True)
class Reask:
    """How one format is asked again: the request for a posting, and the reader of the answer."""

    how: str
    request: Callable[[SourceConfig, store.Due], Request]
    observe: ObserveFn


def _headers(src: SourceConfig) -> dict[str, str]:
    from jobsift.crawler.request import request_options

    headers, _body = request_options(src)
    return headers


def _upwork(src: SourceConfig, d: store.Due) -> Request:
    headers = {**_headers(src), "Content-Type": "application/json"}
    return Request(src.url, headers, outcome_upwork.request_body(d.external_id))


def _freelancer(src: SourceConfig, d: store.Due) -> Request:
    return Request(outcome_freelancer.project_url(src.url, d.external_id), _headers(src))


REASK: dict[str, Reask] = {
    "upwork-graphql": Reask("job details query (marketplaceJobPosting by ciphertext)", _upwork, outcome_upwork.observe),
    "freelancer": Reask(
        "per-project endpoint /api/projects/0.1/projects/<id>/", _freelancer, outcome_freelancer.observe
    ),
}


def reaskable(fmt: str) -> bool:
    return fmt in REASK


@dataclass
class ReobserveReport:
    requests: int = 0
    changed: int = 0
    resolved: int = 0
    failed: int = 0
    over_budget: list[str] = field(default_factory=list)
    stopped: dict[str, str] = field(default_factory=dict)
    stats: Counter[str] = field(default_factory=Counter)


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def reobserve(
    engine: Engine,
    cfg: Config,
    fetcher: Fetcher,
    names: Sequence[str] | None = None,
    *,
    now: Callable[[], datetime] = _utcnow,
) -> ReobserveReport:
    """Check the due postings of the named sources (default: every enabled re-askable one)."""
    report = ReobserveReport()
    oc = cfg.outcomes
    if not oc.reobserve:
        return report
    wanted = [cfg.source(n) for n in names] if names is not None else cfg.sources
    for src in wanted:
        if not src.enabled or not reaskable(src.format) or src.browser:
            continue
        await _source(engine, cfg, fetcher, src, now, report)
    return report


async def _source(
    engine: Engine,
    cfg: Config,
    fetcher: Fetcher,
    src: SourceConfig,
    now: Callable[[], datetime],
    report: ReobserveReport,
) -> None:
    oc = cfg.outcomes
    days = tuple(oc.schedule_days)
    reask = REASK[src.format]
    with engine.connect() as conn:
        left = oc.requests_per_source_per_day - store.requests_today(conn, src.name, now())
        due = store.due(conn, src.name, now(), max(0, min(left, oc.max_per_run)), days) if left > 0 else []
    if left <= 0:
        with engine.connect() as conn:
            if store.due(conn, src.name, now(), 1, days):
                report.over_budget.append(src.name)
        return
    for d in due:
        with engine.begin() as conn:
            if not store.claim(conn, d.posting_id, now()):
                continue
        try:
            req = reask.request(src, d)
            fetched = await fetcher.fetch(req.url, extra_headers=req.headers, post_body=req.body)
            obs = reask.observe(fetched.body, fetched.headers)
        except (BlockedError, DeferredError, ConfigError) as exc:
            # robots.txt says no, the server asks to wait, or the token is missing: stop this source.
            with engine.begin() as conn:
                store.release(conn, d.posting_id, now())
            report.stopped[src.name] = f"{getattr(exc, 'reason', 'error')}: {exc}"
            report.stats[f"reobserve/stopped/{getattr(exc, 'reason', 'error')}"] += 1
            log.warning("source %s: re-observation stopped: %s", src.name, exc)
            return
        except FetchError as exc:
            report.requests += 1
            report.failed += 1
            report.stats[f"reobserve/failed/{exc.reason}"] += 1
            with engine.begin() as conn:
                store.record_failure(conn, d.posting_id, f"{exc.reason}: {exc}", now(), days)
            continue
        report.requests += 1
        report.stats[f"reobserve/{obs.outcome}"] += 1
        with engine.begin() as conn:
            if store.record(conn, d.posting_id, obs, now(), days=days):
                report.changed += 1
                report.resolved += int(obs.resolved)
