"""Webhook push: new jobs at or above a sink's ``min_quality`` POSTed as JSON, each job once per sink.

``push_new(engine, cfg)`` is what ``jobsift push`` runs and the after-crawl step of ``jobsift.pipeline``
(the daemon and the workers push after every batch).
A row in ``webhook_deliveries`` (unique on sink + posting) is claimed before the POST, so two
pushes never send the same job twice to a sink; a failed POST is retried with backoff inside the
run and again on later runs, up to ``MAX_ATTEMPTS`` in all.

A sink that does not answer (timeout, refused, network error) or uses up ``RUN_BUDGET`` seconds
is given up for the run after that first failure: the rest of its jobs are stored as
``deferred`` and sent on the next run (R33), instead of costing 3 tries x 10 s per job.

Webhook URLs are secrets (Slack and Discord put the token in the path, n8n a random id): what is
stored in ``webhook_deliveries.sink`` and printed is :func:`sink_id`, the scheme, host and a hash
of the URL, never its path or query (R38).

Each sink's ``kind`` is a channel of the registry in ``jobsift.publish.channels`` (one module per
kind: json, slack, discord, n8n, telegram, ...): it says how a job is formatted and sent and under
which key its deliveries are recorded; this module does the claiming, retries across runs, give-up
and redaction for all of them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from jobsift.config import Config, WebhookConfig
from jobsift.publish.channels import Sleep, channel_for
from jobsift.publish.channels._http import sink_id
from jobsift.publish.present import one_line
from jobsift.store.queries import JobFilter, list_jobs
from jobsift.store.schema import webhook_deliveries

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5  # across runs; then the delivery stays failed and is reported
RUN_BUDGET = 60.0  # seconds one sink may take in a run; then the rest is deferred
RETRYABLE = ("failed", "deferred")
NEW_WINDOW = timedelta(days=2)  # "new": first seen this recently (a new sink does not get the backlog)


@dataclass
class PushReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)


def redact(text: str, url: str) -> str:
    """``text`` with the sink's URL (and its path alone) replaced by its identifier."""
    if not url:  # a Telegram sink on the real Bot API has no URL of its own (its token is redacted there)
        return text
    ident = sink_id(url)
    out = text.replace(url, ident)
    path = urlsplit(url).path
    if len(path) > 1:
        out = out.replace(path, "/...")
    return out


def _claim(engine: Engine, sink: str, posting_id: int, now: datetime) -> bool:
    """True when this run should POST the job to the sink (new, or failed earlier with tries left)."""
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(webhook_deliveries).values(
                    sink=sink, posting_id=posting_id, status="pending", attempts=0, created_at=now
                )
            )
        return True
    except IntegrityError:
        pass
    with engine.begin() as conn:
        row = conn.execute(
            select(webhook_deliveries).where(
                and_(webhook_deliveries.c.sink == sink, webhook_deliveries.c.posting_id == posting_id)
            )
        ).first()
        if row is None or row.status not in RETRYABLE or row.attempts >= MAX_ATTEMPTS:
            return False
        taken = conn.execute(
            update(webhook_deliveries)
            .where(
                and_(
                    webhook_deliveries.c.id == row.id,
                    webhook_deliveries.c.status == row.status,
                    webhook_deliveries.c.attempts == row.attempts,
                )
            )
            .values(status="pending")
        ).rowcount
    return taken == 1


def _adopt_legacy_rows(engine: Engine, url: str, ident: str) -> None:
    """Rows stored under the raw URL (before R38) move to the identifier, so nothing is sent twice."""
    with engine.begin() as conn:
        have = select(webhook_deliveries.c.posting_id).where(webhook_deliveries.c.sink == ident)
        conn.execute(
            delete(webhook_deliveries).where(
                and_(webhook_deliveries.c.sink == url, webhook_deliveries.c.posting_id.in_(have))
            )
        )
        conn.execute(update(webhook_deliveries).where(webhook_deliveries.c.sink == url).values(sink=ident))


def _retry_ids(engine: Engine, ident: str) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(webhook_deliveries.c.posting_id)
                .where(
                    and_(
                        webhook_deliveries.c.sink == ident,
                        webhook_deliveries.c.status.in_(RETRYABLE),
                        webhook_deliveries.c.attempts < MAX_ATTEMPTS,
                    )
                )
                .limit(500)
            ).scalars()
        )


def _mark(engine: Engine, sink: str, posting_id: int, values: dict[str, Any]) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(webhook_deliveries)
            .where(and_(webhook_deliveries.c.sink == sink, webhook_deliveries.c.posting_id == posting_id))
            .values(**values)
        )


def push_sink(
    engine: Engine,
    hook: WebhookConfig,
    *,
    now: datetime | None = None,
    since: datetime | None = None,
    client: httpx.Client | None = None,
    sleep: Sleep = time.sleep,
    exclude_flags: Sequence[str] = (),
    budget: float = RUN_BUDGET,
    blocked_clients: tuple[str, ...] = (),
) -> PushReport:
    """POST the sink's new jobs; ``exclude_flags`` (``filters.exclude_flags``) are never pushed."""
    now = now or datetime.now(UTC)
    report = PushReport()
    channel = channel_for(hook)
    ident = channel.sink_key(hook)
    if channel.keyed_by_url:
        _adopt_legacy_rows(engine, hook.url, ident)
    f = JobFilter(
        since=since or now - NEW_WINDOW,
        min_quality=hook.min_quality,
        include_gone=False,
        limit=500,
        order="quality",
        exclude_flags=tuple(exclude_flags),
        blocked_clients=blocked_clients,
    )
    # Deferred and failed deliveries are due again even when they left the "new" window.
    retry = _retry_ids(engine, ident)
    with engine.connect() as conn:
        jobs = list_jobs(conn, f)
        seen = {j.id for j in jobs}
        again = [i for i in retry if i not in seen]
        if again:
            jobs += list_jobs(
                conn,
                JobFilter(
                    ids=again,
                    min_quality=hook.min_quality,
                    include_gone=False,
                    exclude_flags=tuple(exclude_flags),
                    blocked_clients=blocked_clients,
                    limit=500,
                    order="quality",
                ),
            )
    channel.prepare(hook)  # e.g. a missing token is a config error, before any job is claimed
    own = client is None
    http = client or httpx.Client(timeout=httpx.Timeout(10.0, connect=5.0), headers={"User-Agent": "jobsift webhook"})
    gave_up = ""
    tried = 0
    started = time.monotonic()
    try:
        for job in jobs:
            if not _claim(engine, ident, job.id, now):
                report.skipped += 1
                continue
            if not gave_up and tried and time.monotonic() - started > budget:
                gave_up = f"used its {budget:g} s for this run"
            if gave_up:
                _mark(engine, ident, job.id, {"status": "deferred", "error": f"deferred: the sink {gave_up}"})
                report.deferred += 1
                continue
            tried += 1
            try:
                tries, error, unreachable = channel.send(http, hook, job, sleep)
            except Exception as exc:
                _mark(
                    engine,
                    ident,
                    job.id,
                    {
                        "status": "failed",
                        "error": one_line(redact(repr(exc), hook.url), 500),
                        "attempts": webhook_deliveries.c.attempts + 1,
                    },
                )
                raise
            error = redact(error, hook.url)
            values: dict[str, Any] = {"attempts": webhook_deliveries.c.attempts + tries}
            if error:
                values.update(status="failed", error=one_line(error, 500))
                report.failed += 1
                report.errors.append(f"{ident}: job {job.id}: {one_line(error, 300)}")
                if unreachable:
                    gave_up = f"did not answer ({one_line(error, 200)})"
            else:
                values.update(status="sent", sent_at=datetime.now(UTC), error=None)
                report.sent += 1
            _mark(engine, ident, job.id, values)
    finally:
        if own:
            http.close()
    if gave_up and report.deferred:
        report.errors.append(
            f"{ident}: gave up on this sink for this run: it {gave_up}; {report.deferred} jobs deferred to the next run"
        )
    return report


def push_new(engine: Engine, cfg: Config, **kwargs: Any) -> PushReport:
    """Push to every configured sink; one failing sink does not stop the others."""
    total = PushReport()
    for hook in cfg.webhooks:
        r = push_sink(
            engine,
            hook,
            exclude_flags=cfg.filters.exclude_flags,
            blocked_clients=tuple(cfg.filters.blocked_clients),
            **kwargs,
        )
        total.sent += r.sent
        total.failed += r.failed
        total.skipped += r.skipped
        total.deferred += r.deferred
        total.errors += r.errors
    return total
