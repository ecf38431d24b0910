"""The collector while a command starts: what loads then lives until exit, so scanning it is waste.

Starting a command imports Click, SQLAlchemy, the store and the command's own modules: some hundred
thousand objects, none of them garbage. With CPython's default thresholds (700, 10, 10) the cycle
collector runs about 140 times meanwhile, each full pass walking everything imported so far; on
``jobsift jobs`` that was ~0.1 s of CPU (one full pass alone took 50-70 ms and showed up in
``-X importtime`` as the "self" time of whichever module was loading, e.g. ``store.records``).

``begin()`` raises the first threshold while the command starts, so a start-up runs no collection
and a process that never calls ``end()`` still collects (every ``START_UP_THRESHOLD`` new
objects). ``end()``, called once the store is open (the heavy imports are done), freezes what was
loaded (``gc.freeze``: never scanned again) and puts the thresholds back, so a long run (crawl,
schedule, serve) collects as usual, over its own objects only.
"""

from __future__ import annotations

import gc

#: Net new container objects before the first collection while starting (a start-up creates ~100k).
START_UP_THRESHOLD = 200_000
_saved: tuple[int, int, int] | None = None


def begin() -> None:
    """Hold the collector back while the command's modules load (idempotent)."""
    global _saved
    if _saved is None:
        _saved = gc.get_threshold()
        gc.set_threshold(START_UP_THRESHOLD, *_saved[1:])


def end() -> None:
    """The start-up is over: freeze what it loaded and collect as usual from here (idempotent)."""
    global _saved
    if _saved is not None:
        gc.freeze()
        gc.set_threshold(*_saved)
        _saved = None
