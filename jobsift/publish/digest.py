"""The daily digest email: the best new jobs since the recipient's last digest, sent exactly once.

Exactly once (R29), also with several processes racing:

1. **claim**: a row in ``digests`` unique on ``(recipient, period)`` is inserted as ``pending``
   before anything is sent; whoever loses the insert reads the row and stops, unless the row is
   ``failed`` (then it is retried with a compare-and-set on ``attempts``) or ``pending`` from a
   process on this host that has died.
2. **reserve**: the chosen jobs go into ``digest_items``, unique on ``(recipient, posting_id)``,
   so a job is never in two digests; a retried digest sends the jobs it reserved the first time.
3. **send**, then mark ``sent``; a failure marks ``failed`` with the error, and the next run
   retries. The one window left is a crash between the SMTP server accepting the message and
   the ``sent`` update: the digest is then retried (at least once rather than lost).
"""

from __future__ import annotations

import logging
import smtplib
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from jobsift.config import Config
from jobsift.publish.mail import email_message, send_message
from jobsift.publish.params import FilterParams
from jobsift.publish.present import one_line
from jobsift.publish.templating import render
from jobsift.store import runs
from jobsift.store.queries import JobFilter, list_jobs
from jobsift.store.records import Job
from jobsift.store.schema import digest_items, digests
from jobsift.store.source_health import failing_sources

log = logging.getLogger(__name__)
CANDIDATES = 5000  # new jobs looked at per digest, best first; more than a day ever brings


@dataclass
class Digest:
    recipient: str
    period: str
    jobs: list[Job]
    filtered: dict[str, int]
    sources: list[dict[str, Any]]
    subject: str
    html: str = ""
    text: str = ""


@dataclass
class DigestOutcome:
    recipient: str
    period: str
    status: str  # sent, failed, skipped (already sent or being sent), dry_run
    count: int = 0
    error: str | None = None


@dataclass
class DigestRun:
    outcomes: list[DigestOutcome] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(o.status == "failed" for o in self.outcomes)


def period_of(now: datetime, cfg: Config) -> str:
    """The digest's day in the configured timezone, e.g. ``2026-11-22``."""
    return now.astimezone(ZoneInfo(cfg.digest.timezone)).date().isoformat()  # validated by the config


# --- choosing the jobs ---------------------------------------------------------------------------


def _client_key(job: Job) -> str:
    name = job.client.name if job.client is not None else None
    return str(name or job.company or f"{job.source}:{job.external_id}").lower()


def select_jobs(
    conn: Connection,
    cfg: Config,
    recipient: str,
    now: datetime,
    *,
    digest_id: int | None = None,
) -> tuple[list[Job], Counter[str]]:
    """The digest's jobs, best first, and a count of the new jobs left out, by reason.

    Jobs already reserved by another digest of ``recipient`` (not ``digest_id``) are never chosen.
    """
    last = conn.execute(
        select(func.max(digests.c.created_at)).where(and_(digests.c.recipient == recipient, digests.c.status == "sent"))
    ).scalar()
    since = last or now - timedelta(days=1)
    taken = select(digest_items.c.posting_id).where(digest_items.c.recipient == recipient)
    if digest_id is not None:
        taken = taken.where(digest_items.c.digest_id != digest_id)
    sent_ids = set(conn.execute(taken).scalars())
    new = list_jobs(conn, JobFilter(since=since, include_gone=False, limit=CANDIDATES, order="quality"))
    wanted = FilterParams.from_config(cfg.filters)
    wanted.min_quality = None  # the digest has its own threshold
    wanted.limit = None
    allowed = (
        {j.id for j in list_jobs(conn, replace(wanted.to_filter(), since=since, ids=[j.id for j in new]))}
        if new
        else set()
    )
    left_out: Counter[str] = Counter()
    chosen: list[Job] = []
    per_client: Counter[str] = Counter()
    blocked = {b.lower() for b in cfg.filters.blocked_clients}
    for job in new:
        flags = set(job.flags)
        if job.id in sent_ids:
            left_out["already in an earlier digest"] += 1
        elif job.quality is None:
            left_out["not scored yet"] += 1
        elif blocked and _client_key(job) in blocked:
            left_out["blocked client"] += 1
        elif job.id not in allowed:
            hidden = flags & set(cfg.filters.exclude_flags)
            left_out[f"flagged {sorted(hidden)[0]}" if hidden else "your keyword or country filters"] += 1
        elif job.quality < cfg.digest.min_quality:
            left_out[f"quality below {cfg.digest.min_quality:g}"] += 1
        elif per_client[_client_key(job)] >= cfg.digest.per_client_cap:
            left_out[f"more than {cfg.digest.per_client_cap} from one client"] += 1
        elif len(chosen) >= cfg.digest.max_items:
            left_out[f"beyond the {cfg.digest.max_items} best"] += 1
        else:
            per_client[_client_key(job)] += 1
            chosen.append(job)
    return chosen, left_out


def build_digest(
    conn: Connection,
    cfg: Config,
    recipient: str,
    period: str,
    now: datetime,
    *,
    jobs: list[Job] | None = None,
    digest_id: int | None = None,
    left_out: Counter[str] | None = None,
) -> Digest:
    """Choose and render one recipient's digest.

    ``jobs`` are the ones already reserved for it and ``left_out`` what choosing them left out;
    without both, the choice is made here.
    """
    if jobs is None or left_out is None:
        chosen, left_out = select_jobs(conn, cfg, recipient, now, digest_id=digest_id)
        jobs = chosen if jobs is None else jobs
    try:
        subject = cfg.digest.subject.format(count=len(jobs), date=period)
    except (KeyError, IndexError, ValueError):
        subject = f"jobsift: {len(jobs)} new jobs worth a look"
    d = Digest(recipient, period, jobs, dict(left_out.most_common()), failing_sources(conn), one_line(subject, 250))
    context = {"d": d, "now": now, "base_url": cfg_base_url(cfg)}
    d.html = render("digest.html", **context)
    d.text = render("digest.txt", **context)
    return d


def cfg_base_url(cfg: Config) -> str:
    """Where the digest links "why this score" to: ``serve.base_url``, else ``jobsift serve``'s host:port."""
    from jobsift.publish.webguard import public_base

    return public_base(cfg).rstrip("/")


def to_message(d: Digest, sender: str) -> EmailMessage:
    """The digest as a multipart/alternative message (text first, HTML preferred)."""
    return email_message(d.subject, sender, d.recipient, text=d.text, html=d.html)


# --- the exactly-once protocol ------------------------------------------------------------------


def claim(engine: Engine, recipient: str, period: str, now: datetime) -> int | None:
    """The digest row's id if this process may send it now, else None."""
    me = runs.worker_id()
    try:
        with engine.begin() as conn:
            return int(
                conn.execute(
                    insert(digests)
                    .values(
                        recipient=recipient, period=period, created_at=now, status="pending", attempts=1, claimed_by=me
                    )
                    .returning(digests.c.id)
                ).scalar_one()
            )
    except IntegrityError:
        pass
    with engine.begin() as conn:
        row = conn.execute(
            select(digests).where(and_(digests.c.recipient == recipient, digests.c.period == period))
        ).first()
        if row is None or row.status == "sent":
            return None
        if row.status == "pending" and not runs.dead_here(row.claimed_by):
            return None  # another process is sending it right now
        taken = conn.execute(
            update(digests)
            .where(and_(digests.c.id == row.id, digests.c.status == row.status, digests.c.attempts == row.attempts))
            .values(status="pending", attempts=row.attempts + 1, claimed_by=me, error=None)
        ).rowcount
    return int(row.id) if taken == 1 else None


def reserve(
    engine: Engine, cfg: Config, digest_id: int, recipient: str, now: datetime
) -> tuple[list[int], Counter[str] | None]:
    """The posting ids of this digest: those reserved by an earlier attempt, or freshly chosen
    (then also what the choice left out, by reason; None for an earlier reservation)."""
    with engine.begin() as conn:
        ids = list(
            conn.execute(
                select(digest_items.c.posting_id)
                .where(digest_items.c.digest_id == digest_id)
                .order_by(digest_items.c.id)
            ).scalars()
        )
        if ids:
            return ids, None
        jobs, left_out = select_jobs(conn, cfg, recipient, now, digest_id=digest_id)
        if jobs:
            conn.execute(
                insert(digest_items),
                [{"digest_id": digest_id, "recipient": recipient, "posting_id": j.id} for j in jobs],
            )
        return [j.id for j in jobs], left_out


def send_digests(
    engine: Engine,
    cfg: Config,
    *,
    now: datetime | None = None,
    period: str | None = None,
    recipients: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> DigestRun:
    """Send this period's digest to every recipient that has not had it; retry failed ones."""
    now = now or datetime.now(UTC)
    period = period or period_of(now, cfg)
    run = DigestRun()
    for recipient in recipients or cfg.digest.recipients:
        digest_id = claim(engine, recipient, period, now)
        if digest_id is None:
            run.outcomes.append(DigestOutcome(recipient, period, "skipped"))
            continue
        ids: list[int] = []
        try:
            ids, left_out = reserve(engine, cfg, digest_id, recipient, now)
            with engine.connect() as conn:
                jobs = list_jobs(conn, JobFilter(ids=ids, limit=None, order="quality")) if ids else []
                d = build_digest(conn, cfg, recipient, period, now, jobs=jobs, digest_id=digest_id, left_out=left_out)
            send_message(to_message(d, cfg.digest.sender), cfg.smtp, env)
        except Exception as exc:
            error = one_line(f"{type(exc).__name__}: {exc}", 500)
            log.warning("digest to %s failed (retried next run): %s", recipient, error)
            with engine.begin() as conn:
                conn.execute(update(digests).where(digests.c.id == digest_id).values(status="failed", error=error))
            if not isinstance(exc, OSError | smtplib.SMTPException):
                raise  # a bug, not a delivery problem: say so loudly (the row is retryable)
            run.outcomes.append(DigestOutcome(recipient, period, "failed", len(ids), error))
            continue
        with engine.begin() as conn:
            conn.execute(
                update(digests).where(digests.c.id == digest_id).values(status="sent", sent_at=datetime.now(UTC))
            )
        run.outcomes.append(DigestOutcome(recipient, period, "sent", len(jobs)))
    return run


def preview(
    engine: Engine, cfg: Config, recipient: str, *, now: datetime | None = None, period: str | None = None
) -> Digest:
    """The digest ``recipient`` would get now, rendered, with nothing claimed or recorded (dry run)."""
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        return build_digest(conn, cfg, recipient, period or period_of(now, cfg), now)
