"""``jobsift worker``: claim due sources, crawl them, release them, repeat; any number at once.

Each loop: run the daily jobs if due and claimed (digest, prune), lease up to ``batch`` due
sources, crawl them as one run, and when nothing is due sleep until the earliest source
becomes available (capped by ``poll``). ``once`` stops when nothing is left to claim.

On SIGTERM/SIGINT the batch in flight is cancelled: fetches stop at once, a source whose
batch is being written commits it (the write runs in a thread that is waited for), the run is
marked ``aborted`` and the unfinished sources are released, due at once for another worker.

SQLite has no row locks and one writer at a time, so on SQLite a worker holds an exclusive
file lock beside the database: a second worker refuses to start and says to use PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from jobsift.config import Config
from jobsift.errors import ConfigError, StoreError
from jobsift.scheduling import leases, periodic
from jobsift.scheduling.batch import BatchRunner, start_up
from jobsift.scheduling.clock import DatabaseClock
from jobsift.store.runs import worker_id

log = logging.getLogger("jobsift.scheduling")


@dataclass(slots=True)
class WorkerReport:
    runs: int = 0
    sources: int = 0
    daily_jobs: list[str] = field(default_factory=list)
    interrupted: bool = False


@contextlib.contextmanager
def sqlite_single_worker(engine: Engine) -> Iterator[None]:
    """On SQLite, hold ``<db>.worker.lock`` for the life of the worker; refuse a second one."""
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        yield
        return
    path = Path(engine.url.database).expanduser().resolve().with_name(Path(engine.url.database).name + ".worker.lock")
    handle: IO[str] = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            other = handle.read().strip() or "another process"
            raise StoreError(
                f"a jobsift worker ({other}) is already running on this SQLite database; SQLite runs one "
                "worker process. To run several workers, use PostgreSQL: "
                "--db postgresql+psycopg://USER@HOST/DBNAME (see docs/running.md)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(worker_id())
        handle.flush()
        yield
    finally:
        handle.close()  # closing drops the lock


class Worker:
    def __init__(
        self,
        engine: Engine,
        cfg: Config,
        *,
        once: bool = False,
        batch: int | None = None,
        poll: float = 60.0,
        trigger: str = "worker",
    ) -> None:
        self.engine = engine
        self.cfg = cfg
        self.once = once
        self.batch = batch or cfg.fetch.concurrency
        self.poll = poll
        self.owner = worker_id()
        self.names = [s.name for s in cfg.sources if s.enabled]
        # Leases are compared across machines: every time here is the database server's.
        self.clock = DatabaseClock(engine)
        self.runner = BatchRunner(engine, cfg, owner=self.owner, trigger=trigger, now=self.clock)
        self.daily = periodic.daily_jobs(cfg)
        self.stop = asyncio.Event()
        self.current: asyncio.Task[object] | None = None
        self.report = WorkerReport()

    def request_stop(self, signame: str = "stop") -> None:
        if not self.stop.is_set():
            log.info("%s received: stopping (the batch in flight is cancelled, its run marked)", signame)
        self.stop.set()
        if self.current is not None:
            self.current.cancel()

    async def run(self) -> WorkerReport:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.request_stop, sig.name)
        try:
            await asyncio.to_thread(self.clock.measure)
            await asyncio.to_thread(start_up, self.engine, self.cfg, self.clock())
            log.info(
                "worker %s started: %d sources, batch %d%s",
                self.owner,
                len(self.names),
                self.batch,
                ", once" if self.once else "",
            )
            while not self.stop.is_set():
                if not self.once:
                    await self._daily()
                now = self.clock()
                try:
                    # Database calls run in a thread: a slow database never blocks the signal handlers.
                    claimed = await asyncio.to_thread(
                        leases.claim_due,
                        self.engine,
                        self.owner,
                        self.names,
                        limit=self.batch,
                        lease_seconds=self.cfg.schedule.lease_seconds,
                        now=now,
                    )
                except DBAPIError as exc:  # the database restarting: wait, then try again
                    if self.once:
                        raise
                    log.error("cannot claim sources (retrying in %.0fs): %s", self.poll, exc.orig)
                    await self._sleep(self.poll)
                    continue
                if claimed:
                    await self._crawl(claimed)
                    continue
                if self.once:
                    break
                await self._idle(now)
            if self.once and not self.stop.is_set():
                await self._daily()  # after the crawl, so a digest includes what it found
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
        self.report.interrupted = self.stop.is_set()
        log.info("worker %s stopped: %d runs, %d sources crawled", self.owner, self.report.runs, self.report.sources)
        return self.report

    async def _crawl(self, claimed: list[str]) -> None:
        self.current = asyncio.create_task(self.runner.run(claimed))
        try:
            await self.current
            self.report.sources += len(claimed)
        except asyncio.CancelledError:
            if not self.stop.is_set():
                raise
            # Our own shutdown cancelled the batch; it has marked its run and released its sources.
        finally:
            self.current = None
            self.report.runs += 1

    async def _daily(self) -> None:
        for job in self.daily:
            ran = await asyncio.to_thread(periodic.run_if_due, self.engine, self.cfg, job, self.owner, self.clock())
            if ran:
                self.report.daily_jobs.append(job.name)

    async def _idle(self, now: datetime) -> None:
        wake = await asyncio.to_thread(leases.earliest_available, self.engine, self.names, now)
        wait = self.poll if wake is None else (wake - now).total_seconds()
        wait = min(max(wait, 0.2), self.poll)
        log.debug("nothing due; next look in %.1fs", wait)
        await self._sleep(wait)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), timeout=seconds)


def run_worker(
    engine: Engine, cfg: Config, *, once: bool = False, batch: int | None = None, poll: float = 60.0
) -> WorkerReport:
    """Run a worker until stopped (or, with ``once``, until nothing is due)."""
    if not any(s.enabled for s in cfg.sources):
        raise ConfigError("no enabled sources in the config: nothing to work on")
    with sqlite_single_worker(engine):
        return asyncio.run(Worker(engine, cfg, once=once, batch=batch, poll=poll).run())
