"""``jobsift schedule``: the daemon for one machine, on APScheduler 3.x (``AsyncIOScheduler``).

Jobs are rebuilt from the config at every start in a ``MemoryJobStore`` with stable ids
(``source:<name>``, ``daily:digest``, ``daily:prune``): a renamed or removed source leaves no
ghost job, and nothing about *when* lives in the scheduler. The store decides: each source's
first run is its ``next_due_at`` (now if it is overdue or new: downtime across any number of
triggers gives one catch-up run), and after every crawl the job is moved to the new
``next_due_at``. Each job fire goes through the same lease claim as ``jobsift worker``, so a
daemon never crawls a source another process is crawling.

Job options, chosen on purpose:
- ``max_instances=1``: a trigger that fires while the source's previous crawl is still going is
  skipped (and logged), never a second concurrent crawl of one source;
- ``coalesce=True``: triggers missed while the process was stalled (suspend, a long GC) collapse
  into one run;
- ``misfire_grace_time=schedule.misfire_grace_seconds`` (10 minutes by default): a trigger later
  than that is dropped with a warning rather than run in a burst together with every other late
  source; the source stays overdue in the table and runs at its next trigger or at restart.
  Daily jobs get 12 hours: a digest is still worth sending late in the day.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from jobsift.config import Config
from jobsift.scheduling import leases, periodic
from jobsift.scheduling.batch import BatchRunner, cancel_and_wait, start_up, utcnow
from jobsift.scheduling.claims import is_done
from jobsift.scheduling.clock import DatabaseClock
from jobsift.store.runs import worker_id

log = logging.getLogger("jobsift.scheduling")
SHUTDOWN_SECONDS = 10.0
DAILY_GRACE_SECONDS = 12 * 3600


def source_job_id(name: str) -> str:
    return f"source:{name}"


class Daemon:
    def __init__(self, engine: Engine, cfg: Config) -> None:
        self.engine = engine
        self.cfg = cfg
        self.owner = worker_id()
        # Lease times come from the database server's clock; the scheduler runs on this machine's.
        self.clock = DatabaseClock(engine)
        self.runner = BatchRunner(engine, cfg, owner=self.owner, trigger="schedule", now=self.clock)
        self.daily = {job.name: job for job in periodic.daily_jobs(cfg)}
        self.stop = asyncio.Event()
        self.tasks: set[asyncio.Task[Any]] = set()
        self.scheduler: AsyncIOScheduler | None = None

    # -- building the jobs ------------------------------------------------------------------

    def job_options(self) -> dict[str, Any]:
        """See the module docstring for why these values."""
        grace = max(1, int(self.cfg.schedule.misfire_grace_seconds))
        return {"coalesce": True, "max_instances": 1, "misfire_grace_time": grace}

    def build(self, scheduler: AsyncIOScheduler, now: datetime) -> None:
        """Add one job per enabled source and per daily job, first runs taken from the store."""
        enabled = [s for s in self.cfg.sources if s.enabled]
        state = leases.states(self.engine, [s.name for s in enabled])
        for src in enabled:
            st = state.get(src.name)
            first = (st.available_at(now) if st else now) - self.clock.offset
            trigger = IntervalTrigger(minutes=src.interval_minutes, jitter=self.cfg.schedule.jitter_seconds or None)
            scheduler.add_job(
                self.crawl_source,
                trigger,
                args=[src.name],
                id=source_job_id(src.name),
                name=f"crawl {src.name}",
                next_run_time=first,
                replace_existing=True,
                **self.job_options(),
            )
            overdue = " (overdue: catch-up run now)" if st and st.next_due_at and st.next_due_at < now else ""
            log.info(
                "source %s: every %g min, first run %sZ%s",
                src.name,
                src.interval_minutes,
                first.strftime("%Y-%m-%d %H:%M:%S"),
                overdue,
            )
        for job in self.daily.values():
            period = job.due_period(now)
            catch_up = period is not None and not is_done(self.engine, job.name, period)
            scheduler.add_job(
                self.run_daily,
                CronTrigger(hour=job.at.hour, minute=job.at.minute, timezone=job.tz),
                args=[job.name],
                id=f"daily:{job.name}",
                name=job.name,
                replace_existing=True,
                **{**self.job_options(), "misfire_grace_time": DAILY_GRACE_SECONDS},
                **({"next_run_time": now - self.clock.offset} if catch_up else {}),
            )
            log.info(
                "%s: daily at %s %s%s",
                job.name,
                job.at.strftime("%H:%M"),
                job.tz.key,
                " (today's is due: running now)" if catch_up else "",
            )

    # -- the jobs -----------------------------------------------------------------------------

    async def crawl_source(self, name: str) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            now = self.clock()
            interval = self.cfg.source(name).interval_minutes * 60
            # A trigger may run a little ahead of next_due_at (jitter is drawn twice): within this
            # slack the source counts as due, so it is not pushed back a whole interval.
            slack = timedelta(seconds=min(self.cfg.schedule.jitter_seconds + 60, interval / 2))
            claimed = await asyncio.to_thread(
                leases.claim_due,
                self.engine,
                self.owner,
                [name],
                limit=1,
                lease_seconds=self.cfg.schedule.lease_seconds,
                now=now,
                due_by=now + slack,
            )
            if claimed:
                await self.runner.run(claimed)
            else:
                log.debug("source %s: not due or leased by another process", name)
            self._reschedule(name)
        except asyncio.CancelledError:
            if not self.stop.is_set():
                raise
        finally:
            self.tasks.discard(task)

    def _reschedule(self, name: str) -> None:
        """Move the source's next trigger to what the store now says (not the scheduler's idea)."""
        if self.scheduler is None or self.stop.is_set():
            return
        now = self.clock()
        st = leases.states(self.engine, [name]).get(name)
        when = st.available_at(now) if st else now
        when = max(when, now + timedelta(seconds=1))
        self.scheduler.modify_job(source_job_id(name), next_run_time=when - self.clock.offset)

    async def run_daily(self, name: str) -> None:
        job = self.daily[name]
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            ran = await asyncio.to_thread(periodic.run_if_due, self.engine, self.cfg, job, self.owner, self.clock())
            if ran is None and self.scheduler is not None and not self.stop.is_set():
                # The cron trigger fires once a day: a failed run needs its own retry today.
                self.scheduler.add_job(
                    self.run_daily,
                    "date",
                    run_date=utcnow() + timedelta(seconds=periodic.RETRY_SECONDS),
                    args=[name],
                    id=f"daily:{name}:retry",
                    replace_existing=True,
                    misfire_grace_time=DAILY_GRACE_SECONDS,
                )
        except asyncio.CancelledError:
            if not self.stop.is_set():
                raise
        finally:
            self.tasks.discard(task)

    def _on_event(self, event: JobEvent) -> None:
        if event.code == EVENT_JOB_MAX_INSTANCES:
            log.warning("%s: trigger skipped, the previous run is still going (max_instances=1)", event.job_id)
        elif event.code == EVENT_JOB_MISSED:
            log.warning("%s: trigger missed by more than the misfire grace; it stays due in the store", event.job_id)

    # -- life cycle -----------------------------------------------------------------------------

    def request_stop(self, signame: str) -> None:
        if not self.stop.is_set():
            log.info("%s received: stopping (crawls in flight are cancelled, their runs marked)", signame)
        self.stop.set()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.request_stop, sig.name)
        await asyncio.to_thread(self.clock.measure)
        await asyncio.to_thread(start_up, self.engine, self.cfg, self.clock())
        self.scheduler = AsyncIOScheduler(event_loop=loop, timezone="UTC", job_defaults=self.job_options())
        self.build(self.scheduler, self.clock())
        self.scheduler.add_listener(self._on_event, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
        self.scheduler.start()
        log.info(
            "scheduler %s started: %d jobs; SIGTERM stops it within %gs",
            self.owner,
            len(self.scheduler.get_jobs()),
            SHUTDOWN_SECONDS,
        )
        try:
            await self.stop.wait()
        finally:
            self.scheduler.pause()
            await cancel_and_wait(set(self.tasks), SHUTDOWN_SECONDS)
            self.scheduler.shutdown(wait=False)
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
        log.info("scheduler %s stopped", self.owner)


def run_daemon(engine: Engine, cfg: Config) -> None:
    """Run the scheduler until SIGTERM or SIGINT."""
    asyncio.run(Daemon(engine, cfg).run())
