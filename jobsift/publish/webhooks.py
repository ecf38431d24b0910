"""Webhook push: new jobs at or above a sink's ``min_quality`` POSTed as JSON, each job once per sink.

``push_new(engine, cfg)`` is what ``jobsift push`` runs and the after-crawl step of ``jobsift.pipeline``
(the daemon and the workers push after every batch).
A row in ``webhook_deliveries`` (unique on sink + posting) is claimed before the POST, so two
pushes never send the same job twice to a sink; a failed POST is retried with backoff inside the
run and again on later runs, up to ``MAX_ATTEMPTS`` in all.

Shapes (``kind``): ``json`` ``{"event": "job", "job": {...}}``; ``slack`` ``{"text", "blocks"}``
(incoming-webhook format, mrkdwn escaped); ``discord`` ``{"content", "embeds", "allowed_mentions"}``
(no pings); ``n8n`` the job as one flat object.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from jobsift.config import Config, WebhookConfig
from jobsift.encoding import json_default
from jobsift.publish.present import budget_text, flag_label, flagged_reasons, one_line, quality_text, safe_url
from jobsift.store.queries import JobFilter, list_jobs
from jobsift.store.schema import webhook_deliveries

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5  # across runs; then the delivery stays failed and is reported
TRIES_PER_RUN = 3
NEW_WINDOW = timedelta(days=2)  # "new": first seen this recently (a new sink does not get the backlog)


@dataclass
class PushReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _summary(job: dict[str, Any]) -> str:
    bits = [f"quality {quality_text(job.get('quality'))}"]
    if budget_text(job.get("budget")):
        bits.append(budget_text(job.get("budget")))
    bits.append(str(job.get("source")))
    if job.get("flags"):
        bits.append("flags: " + ", ".join(flag_label(f) for f in job["flags"]))
    return " · ".join(bits)


def _jsonable(job: dict[str, Any]) -> dict[str, Any]:
    import json

    return dict(json.loads(json.dumps(job, default=json_default)))


def payload(job: dict[str, Any], kind: str) -> dict[str, Any]:
    """The body POSTed for ``job`` in the sink's shape."""
    title = one_line(job.get("title"), 250)
    url = safe_url(job.get("url"))
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
        embed: dict[str, Any] = {"title": title[:256], "description": "\n".join(f"• {r}" for r in reasons)[:4000],
                                 "footer": {"text": _summary(job)[:2048]}}
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
            conn.execute(insert(webhook_deliveries).values(
                sink=sink, posting_id=posting_id, status="pending", attempts=0, created_at=now))
        return True
    except IntegrityError:
        pass
    with engine.begin() as conn:
        row = conn.execute(select(webhook_deliveries).where(
            and_(webhook_deliveries.c.sink == sink, webhook_deliveries.c.posting_id == posting_id))).first()
        if row is None or row.status != "failed" or row.attempts >= MAX_ATTEMPTS:
            return False
        taken = conn.execute(
            update(webhook_deliveries)
            .where(and_(webhook_deliveries.c.id == row.id, webhook_deliveries.c.status == "failed",
                        webhook_deliveries.c.attempts == row.attempts))
            .values(status="pending")
        ).rowcount
    return taken == 1


def _post(client: httpx.Client, url: str, body: dict[str, Any], sleep: Callable[[float], None]) -> tuple[int, str]:
    """POST with retries on 429/5xx/network errors; (tries used, error or '')."""
    error = ""
    for attempt in range(1, TRIES_PER_RUN + 1):
        try:
            r = client.post(url, json=body)
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        else:
            if r.status_code < 300:
                return attempt, ""
            error = f"HTTP {r.status_code}"
            if r.status_code < 500 and r.status_code != 429:
                return attempt, error  # a 4xx other than 429 will not pass by trying again now
        if attempt < TRIES_PER_RUN:
            sleep(0.5 * 2 ** (attempt - 1))
    return TRIES_PER_RUN, error


def _mark(engine: Engine, sink: str, posting_id: int, values: dict[str, Any]) -> None:
    with engine.begin() as conn:
        conn.execute(update(webhook_deliveries).where(and_(
            webhook_deliveries.c.sink == sink, webhook_deliveries.c.posting_id == posting_id)).values(**values))


def push_sink(
    engine: Engine, hook: WebhookConfig, *, now: datetime | None = None, since: datetime | None = None,
    client: httpx.Client | None = None, sleep: Callable[[float], None] = time.sleep,
) -> PushReport:
    now = now or datetime.now(UTC)
    report = PushReport()
    f = JobFilter(since=since or now - NEW_WINDOW, min_quality=hook.min_quality, include_gone=False,
                  limit=500, order="quality")
    with engine.connect() as conn:
        jobs = list_jobs(conn, f)
    own = client is None
    http = client or httpx.Client(timeout=httpx.Timeout(10.0, connect=5.0),
                                  headers={"User-Agent": "jobsift webhook"})
    try:
        for job in jobs:
            if not _claim(engine, hook.url, job["id"], now):
                report.skipped += 1
                continue
            try:
                tries, error = _post(http, hook.url, payload(job, hook.kind), sleep)
            except Exception as exc:
                _mark(engine, hook.url, job["id"], {"status": "failed", "error": one_line(repr(exc), 500),
                                                    "attempts": webhook_deliveries.c.attempts + 1})
                raise
            values: dict[str, Any] = {"attempts": webhook_deliveries.c.attempts + tries}
            if error:
                values.update(status="failed", error=one_line(error, 500))
                report.failed += 1
                report.errors.append(f"{hook.url}: job {job['id']}: {error}")
            else:
                values.update(status="sent", sent_at=datetime.now(UTC), error=None)
                report.sent += 1
            _mark(engine, hook.url, job["id"], values)
    finally:
        if own:
            http.close()
    return report


def push_new(engine: Engine, cfg: Config, **kwargs: Any) -> PushReport:
    """Push to every configured sink; one failing sink does not stop the others."""
    total = PushReport()
    for hook in cfg.webhooks:
        r = push_sink(engine, hook, **kwargs)
        total.sent += r.sent
        total.failed += r.failed
        total.skipped += r.skipped
        total.errors += r.errors
    return total
