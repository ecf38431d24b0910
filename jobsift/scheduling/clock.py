"""Time as the shared database tells it, for leases that several machines compare.

A lease is a time written by one worker (``lease_expires_at``) and read by the others. If one
machine's clock runs ten minutes fast, it sees every other worker's lease as expired and takes it
over; one that runs slow holds its own leases ten minutes too long. ``DatabaseClock`` measures once
(and again every ``remeasure_seconds``) how far this process's clock is from the PostgreSQL
server's, and adds the difference to every time the daemon or worker uses for leases, due times
and daily jobs. A difference over ``WARN_SECONDS`` is logged, so a broken NTP setup is noticed.
SQLite is one machine: its offset is zero.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from jobsift.store.leases import server_time

log = logging.getLogger("jobsift.scheduling")
WARN_SECONDS = 2.0
REMEASURE_SECONDS = 3600.0


def local_utcnow() -> datetime:
    return datetime.now(UTC)


class DatabaseClock:
    """A ``now()`` for leases: this machine's clock corrected to the database server's."""

    def __init__(
        self,
        engine: Engine,
        *,
        local: Callable[[], datetime] = local_utcnow,
        remeasure_seconds: float = REMEASURE_SECONDS,
    ) -> None:
        self.engine = engine
        self.local = local
        self.remeasure_seconds = remeasure_seconds
        self.offset = timedelta(0)
        self._measured_at: float | None = None
        self._lock = threading.Lock()

    def measure(self) -> timedelta:
        """Ask the database for its time; the offset is its time minus ours at the midpoint."""
        offset = timedelta(0)
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as conn:
                before = self.local()
                server = server_time(conn)
                after = self.local()
            offset = server - (before + (after - before) / 2)
            if abs(offset.total_seconds()) > WARN_SECONDS:
                log.warning(
                    "this machine's clock is %+.1fs off the database server's; using the server's time for "
                    "leases (check NTP)",
                    -offset.total_seconds(),
                )
        with self._lock:
            self.offset, self._measured_at = offset, time.monotonic()
        return offset

    def __call__(self) -> datetime:
        due = self._measured_at is None or time.monotonic() - self._measured_at > self.remeasure_seconds
        if due:
            try:
                self.measure()
            except DBAPIError as exc:  # the database is away: keep the last offset, try again later
                log.warning("cannot read the database's clock (%s); keeping offset %s", exc.orig, self.offset)
                with self._lock:
                    self._measured_at = time.monotonic()
        return self.local() + self.offset
