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

Shapes (``kind``): ``json`` ``{"event": "job", "job": {...}}``; ``slack`` ``{"text", "blocks"}``
(incoming-webhook format, mrkdwn escaped); ``discord`` ``{"content", "embeds", "allowed_mentions"}``
(no pings); ``n8n`` the job as one flat object; ``telegram`` a Bot API ``sendMessage`` (see
``jobsift.publish.telegram``).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from jobsift.config import Config, WebhookConfig
from jobsift.encoding import json_default
from jobsift.publish.present import flagged_reasons, one_line, safe_url, summary_bits
from jobsift.store.queries import JobFilter, list_jobs
from jobsift.store.records import Job
from jobsift.store.schema import webhook_deliveries

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5  # across runs; then the delivery stays failed and is reported
TRIES_PER_RUN = 3
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


def sink_id(url: str) -> str:
    """The sink as stored and shown: ``https://hooks.slack.com/...#3f2a9c1d0b7e`` (no path, no query)."""
    parts = urlsplit(url)
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme or 'http'}://{parts.hostname or '?'}{port}/...#{digest}"


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


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _summary(job: Job) -> str:
    return " · ".join(summary_bits(job))


def _jsonable(job: Job) -> dict[str, Any]:
    import json

    return dict(json.loads(json.dumps(job.to_json(), default=json_default)))


def payload(job: Job, kind: str) -> dict[str, Any]:
    """The body POSTed for ``job`` in the sink's shape."""
    title = one_line(job.title, 250)
    url = safe_url(job.url)
    reasons = [one_line(r["text"], 200) for r in flagged_reasons(job)[:4]]
    if kind == "slack":
        link = f"<{_slack_escape(url)}|{_slack_escape(title)}>" if url else _slack_escape(title)
        lines = "\n".join(f"• {_slack_escape(r)}" for r in reasons)
        return {
            "text": f"{title} ({_summary(job)})",
            "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": f"*{link}*\n{_slack_escape(_summary(job))}"}},
                *([{"type": "context", "elements": [{"type": "mrkdwn", "text": lines}]}] if lines else []),
            ],
        }
    if kind == "discord":
        embed: dict[str, Any] = {
            "title": title[:256],
            "description": "\n".join(f"• {r}" for r in reasons)[:4000],
            "footer": {"text": _summary(job)[:2048]},
        }
        if url:
            embed["url"] = url
        return {"content": f"New job: {title}"[:2000], "embeds": [embed], "allowed_mentions": {"parse": []}}
    data = _jsonable(job)
    if kind == "n8n":
        return {**data, "summary": _summary(job), "reasons_text": reasons}
    return {"event": "job", "job": data}


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


def _post(
    client: httpx.Client, url: str, body: dict[str, Any], sleep: Callable[[float], None]
) -> tuple[int, str, bool]:
    """POST with retries on 429/5xx; (tries used, error or '', sink unreachable).

    A timeout or network error is not retried: a sink that hangs once this run will hang again.
    """
    error = ""
    for attempt in range(1, TRIES_PER_RUN + 1):
        try:
            r = client.post(url, json=body)
        except httpx.TransportError as exc:
            return attempt, f"{type(exc).__name__}: {exc}", True
        if r.status_code < 300:
            return attempt, "", False
        error = f"HTTP {r.status_code}"
        if r.status_code < 500 and r.status_code != 429:
            return attempt, error, False  # a 4xx other than 429 will not pass by trying again now
        if attempt < TRIES_PER_RUN:
            sleep(0.5 * 2 ** (attempt - 1))
    return TRIES_PER_RUN, error, False


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


def _send(client: httpx.Client, hook: WebhookConfig, job: Job, sleep: Callable[[float], None]) -> tuple[int, str, bool]:
    """(tries, error or "", whether the sink did not answer at all)."""
    if hook.kind == "telegram":
        from jobsift.publish import telegram

        tries, error = telegram.send(client, hook, job, sleep)
        return tries, error, error.startswith(("ConnectError", "ConnectTimeout", "ReadTimeout", "WriteTimeout"))
    return _post(client, hook.url, payload(job, hook.kind), sleep)


def sink_key(hook: WebhookConfig) -> str:
    """The sink as ``webhook_deliveries`` records it and warnings name it (no secret in it)."""
    if hook.kind == "telegram":
        from jobsift.publish import telegram

        return telegram.sink_key(hook)
    return sink_id(hook.url)


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
    sleep: Callable[[float], None] = time.sleep,
    exclude_flags: Sequence[str] = (),
    budget: float = RUN_BUDGET,
    blocked_clients: tuple[str, ...] = (),
) -> PushReport:
    """POST the sink's new jobs; ``exclude_flags`` (``filters.exclude_flags``) are never pushed."""
    now = now or datetime.now(UTC)
    report = PushReport()
    ident = sink_key(hook)
    if hook.kind != "telegram":
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
    if hook.kind == "telegram":
        from jobsift.publish.telegram import bot_token

        bot_token(hook)  # a missing token is a config error, before any job is claimed
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
                tries, error, unreachable = _send(http, hook, job, sleep)
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
