"""Being a good guest: robots.txt (protego), per-host pacing and per-host in-flight caps.

Robots policy (one robots.txt per scheme+host, cached ``robots_ttl`` seconds):

- 2xx: obeyed for our User-Agent (``Disallow``, ``Allow``, ``Crawl-delay``, which can only
  lengthen the configured per-host delay).
- 404/410 (any other 4xx), an empty body, or text that is not robots.txt: everything allowed,
  as the robots.txt convention says.
- 401/403: everything forbidden; the host said no.
- 5xx, 429 or a timeout: the host answers, but we cannot know what it allows, so the host
  is skipped for this run (``BlockedError`` with reason ``robots_unavailable``; the crawl records
  the source as ``deferred``) and robots.txt is asked again next run (after ``UNAVAILABLE_RETRY``
  seconds, however long ``robots_ttl`` is).
- No connection at all (refused, host name not found): that is what happened, so the source
  fails with it (``UnreachableError``, reason ``connect_error``: "connection refused by
  host:port"), asked again after ``UNAVAILABLE_RETRY`` seconds too.
- robots.txt that cannot be used for a permanent reason (over the size cap, a broken redirect):
  treated like a missing file, everything allowed.

A refused URL gets ``BlockedError(reason="blocked_by_robots")`` and no request is made for it.

Pacing: two requests to one host start at least ``per_host_delay`` seconds apart (plus up to 5 %
jitter), and at most ``per_host_concurrency`` are in flight at once. ``starts`` and
``max_in_flight`` record what happened, so tests can check both properties.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from jobsift.errors import BlockedError, FetchError, RetryableFetchError, UnreachableError

#: Seconds before an unreadable robots.txt is asked again (one crawl skips the host, the next asks).
UNAVAILABLE_RETRY = 60.0


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


@dataclass(slots=True)
class RobotsEntry:
    parser: Protego | None  # None: allow everything
    fetched_at: float
    unavailable: str | None = None  # a reason when the host must be skipped this run
    unreachable: str | None = None  # the host took no connection: the fetch fails with this


RobotsFetcher = Callable[[str], Awaitable[tuple[int, bytes]]]


class Politeness:
    """Per-host gatekeeper shared by every fetch of a crawl."""

    def __init__(
        self,
        *,
        user_agent: str,
        per_host_delay: float,
        per_host_concurrency: int,
        respect_robots: bool = True,
        robots_ttl: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.user_agent = user_agent
        self.delay = per_host_delay
        self.per_host = per_host_concurrency
        self.respect_robots = respect_robots
        self.robots_ttl = robots_ttl
        self.clock = clock
        self._robots: dict[str, RobotsEntry] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._pace_locks: dict[str, asyncio.Lock] = {}
        self._last_start: dict[str, float] = {}
        self.in_flight: dict[str, int] = {}
        self.starts: dict[str, deque[float]] = {}
        self.max_in_flight: dict[str, int] = {}

    async def check_robots(self, url: str, fetch_robots: RobotsFetcher) -> None:
        """Raise ``BlockedError`` if robots.txt forbids ``url`` or cannot be read this run."""
        if not self.respect_robots:
            return
        host = host_of(url)
        lock = self._robots_locks.setdefault(host, asyncio.Lock())
        async with lock:
            entry = self._robots.get(host)
            # An unreadable robots.txt is asked again soon (a later run), not kept for robots_ttl.
            retry_soon = entry is not None and bool(entry.unavailable or entry.unreachable)
            ttl = min(self.robots_ttl, UNAVAILABLE_RETRY) if retry_soon else self.robots_ttl
            if entry is None or self.clock() - entry.fetched_at > ttl:
                entry = await self._load_robots(host, fetch_robots)
                self._robots[host] = entry
        if entry.unreachable:
            raise UnreachableError(entry.unreachable)
        if entry.unavailable:
            raise BlockedError(
                f"robots.txt of {host} unavailable ({entry.unavailable}); host skipped this run",
                reason="robots_unavailable",
            )
        if entry.parser is not None and not entry.parser.can_fetch(url, self.user_agent):
            raise BlockedError(
                f"robots.txt of {host} disallows {urlsplit(url).path or '/'}", reason="blocked_by_robots"
            )

    async def _load_robots(self, host: str, fetch_robots: RobotsFetcher) -> RobotsEntry:
        now = self.clock()
        try:
            # fetch_robots goes through slot() itself; holding a slot here too would deadlock
            # a host whose in-flight cap is 1.
            status, body = await fetch_robots(host + "/robots.txt")
        except RetryableFetchError as exc:  # 5xx, 429, timeout: skip the host for now
            if exc.reason == "connect_error":  # no connection at all: report that, not robots
                return RobotsEntry(None, now, unreachable=str(exc))
            return RobotsEntry(None, now, unavailable=str(exc))
        except FetchError:  # a permanent oddity (too large, bad redirect): as good as no robots.txt
            return RobotsEntry(None, now)
        if status in (401, 403):
            return RobotsEntry(Protego.parse("User-agent: *\nDisallow: /"), now)
        if status >= 500 or status == 429:
            return RobotsEntry(None, now, unavailable=f"HTTP {status}")
        if status >= 400 or not body:
            return RobotsEntry(None, now)
        try:
            text = body.decode("utf-8", errors="replace")
            return RobotsEntry(Protego.parse(text), now)
        except Exception:  # noqa: BLE001 - protego on garbage: treat as no rules
            return RobotsEntry(None, now)

    def crawl_delay(self, url: str) -> float:
        entry = self._robots.get(host_of(url))
        delay = self.delay
        if entry and entry.parser is not None:
            robots_delay = entry.parser.crawl_delay(self.user_agent)
            if robots_delay:
                delay = max(delay, float(robots_delay))
        return delay

    @contextlib.asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Hold one of the host's in-flight slots, started no sooner than the host's delay."""
        host = host_of(url)
        sem = self._slots.setdefault(host, asyncio.Semaphore(self.per_host))
        async with sem:
            pace = self._pace_locks.setdefault(host, asyncio.Lock())
            async with pace:
                last = self._last_start.get(host)
                if last is not None:
                    wait = last + self.crawl_delay(url) - self.clock()
                    if wait > 0:
                        await asyncio.sleep(wait + random.uniform(0, 0.05 * wait))  # noqa: S311
                self._last_start[host] = self.clock()
                self.starts.setdefault(host, deque(maxlen=1000)).append(self._last_start[host])
            self.in_flight[host] = self.in_flight.get(host, 0) + 1
            self.max_in_flight[host] = max(self.max_in_flight.get(host, 0), self.in_flight[host])
            try:
                yield
            finally:
                self.in_flight[host] -= 1
