"""The demo's freelancer side: a marketplace source up close and a few applications for the ledger.

After the demo crawl and scoring, :func:`record_demo_applications` marks six marketplace postings
as applied (connects spent, one boosted) with what came of them, picked by rank so the run is
repeatable: the best rated got replies and a hire, the worst rated none. The ledger then shows
what the connects bought per quality band, as a real user's would after a few weeks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from jobsift.store import workflow
from jobsift.store.queries import JobFilter, list_jobs
from jobsift.store.records import Job

MARKETPLACES = ("demo-freelancer", "demo-upwork-graphql")
#: (rank from the best, connects, boosted, results in order); negative ranks count from the worst.
PLAN: tuple[tuple[int, int, bool, tuple[str, ...]], ...] = (
    (0, 16, True, ("viewed", "replied", "interviewed", "hired")),
    (1, 12, False, ("viewed", "replied")),
    (2, 12, False, ("no_reply",)),
    (-3, 8, False, ("viewed", "no_reply")),
    (-2, 6, False, ("no_reply",)),
    (-1, 10, True, ("no_reply",)),
)


def marketplace_jobs(engine: Engine) -> list[Job]:
    with engine.connect() as conn:
        rows = list_jobs(conn, JobFilter(sources=MARKETPLACES, limit=None, order="quality"))
    return sorted(
        (r for r in rows if r.quality is not None),
        key=lambda r: (-(r.quality or 0), r.source, r.external_id),
    )


def record_demo_applications(engine: Engine, now: datetime | None = None) -> int:
    jobs = marketplace_jobs(engine)
    if len(jobs) < len(PLAN):
        return 0
    now = now or datetime.now(UTC)
    chosen: set[int] = set()
    with engine.begin() as conn:
        for i, (rank, connects, boosted, results) in enumerate(PLAN):
            job = jobs[rank]
            if job.id in chosen:
                continue
            chosen.add(job.id)
            when = now - timedelta(days=20 - 3 * i)
            workflow.mark(conn, job.id, "applied", when, connects=connects, boosted=boosted)
            for step, result in enumerate(results, start=1):
                workflow.mark(conn, job.id, result, when + timedelta(days=step))
    return len(chosen)


def show(engine: Engine, db_url: str, say: Callable[[str], None]) -> None:
    """The marketplace source's jobs with their bids and owners, then the connects ledger."""
    from jobsift.publish.present import budget_text

    with engine.connect() as conn:
        rows = list_jobs(conn, JobFilter(sources=("demo-freelancer",), limit=None, order="quality"))
        led = workflow.ledger(conn)
    say(f"\nA marketplace source: demo-freelancer (Freelancer.com's active-projects API shape), {len(rows)} projects:")
    for r in rows[:6]:
        verified = r.client.payment_verified if r.client is not None else None
        paid = "payment unknown" if verified is None else "payment verified" if verified else "payment NOT verified"
        bids = r.competition.proposals
        q = r.quality
        qtext = f"{q:3.0f}" if q is not None else "  -"
        say(
            f"  #{r.id:<4} {qtext}  {r.title[:44]:<44} "
            f"{budget_text(r.budget) or '-':<18} {bids if bids is not None else '?'} bids, {paid}"
        )
    if not led.total.applications:
        return
    say(
        f"\nThe connects ledger, with {led.total.applications} demo applications "
        f"({led.total.connects} connects, {_n(led.total.replies, 'reply', 'replies')}, {_n(led.total.hires, 'hire')}):"
    )
    if led.headline():
        say(f"  jobs {led.headline()}")
    for band in led.bands:
        say(
            f"  rated {band.key:<9} {_n(band.applications, 'application')}, {band.connects:>3} connects, "
            f"{_n(band.replies, 'reply', 'replies')}, {_n(band.interviews, 'interview')}, {_n(band.hires, 'hire')}"
        )
    say(f"  mark your own: jobsift --db {db_url} mark ID applied --connects 16 --boosted; then ... mark ID replied")


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"
