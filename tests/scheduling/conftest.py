"""Real processes for scheduler tests: config files, ``python -m jobsift`` children, log waits."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.support.crawling import RSS_HEADERS, rss
from tests.support.httpserver import Reply, Request, ScriptedServer

ROOT = Path(__file__).resolve().parents[2]


def write_config(
    path: Path,
    base_url: str,
    n: int,
    *,
    interval: float = 60.0,
    lease: float = 300.0,
    concurrency: int = 8,
    prune_time: str = "",
    extra: str = "",
    read_timeout: float = 20.0,
) -> Path:
    """A config with ``n`` RSS sources ``s0..`` at ``{base_url}/f/{i}``, quick fetch settings."""
    lines = [
        "[fetch]",
        "per_host_delay = 0.0",
        "per_host_concurrency = 64",
        f"concurrency = {concurrency}",
        "respect_robots = false",
        "retries = 1",
        "connect_timeout = 5.0",
        f"read_timeout = {read_timeout}",
        f"total_timeout = {read_timeout * 1.5}",
        "",
        "[schedule]",
        "jitter_seconds = 0.0",
        f"lease_seconds = {lease}",
        f'prune_time = "{prune_time}"',
        "",
        extra,
        "",
    ]
    for i in range(n):
        lines += [
            "[[sources]]",
            f'name = "s{i}"',
            'format = "rss"',
            f'url = "{base_url}/f/{i}"',
            f"interval_minutes = {interval}",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def feed_route(i: int, items: int = 3) -> Reply:
    return Reply(200, rss(items, prefix=f"s{i}"), RSS_HEADERS)


def serve_feeds(server: ScriptedServer, n: int, route: Callable[[int], Any] | None = None) -> None:
    for i in range(n):
        server.route(f"/f/{i}", route(i) if route else feed_route(i))


def hold_first(server: ScriptedServer, i: int, held: threading.Event) -> Callable[[Request], Reply | None]:
    """The first request to the path waits until ``held`` is set (or the server closes)."""
    state = {"n": 0}
    lock = threading.Lock()

    def route(req: Request) -> Reply | None:
        with lock:
            state["n"] += 1
            first = state["n"] == 1
        if first:
            while not (held.is_set() or server.release.is_set()):
                held.wait(0.05)
        return feed_route(i)

    return route


class Proc:
    """A ``python -m jobsift`` child whose output lines are collected as they come."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        self.args = args
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "jobsift", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.lines: list[str] = []
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    @property
    def output(self) -> str:
        with self.cond:
            return "\n".join(self.lines)

    def wait_line(self, pattern: str, timeout: float = 30.0, count: int = 1) -> list[str]:
        """Block until ``count`` output lines match ``pattern`` (a regex)."""
        rx = re.compile(pattern)
        with self.cond:
            ok = self.cond.wait_for(
                lambda: sum(1 for ln in self.lines if rx.search(ln)) >= count or self.popen.poll() is not None,
                timeout,
            )
            found = [ln for ln in self.lines if rx.search(ln)]
        if len(found) < count:
            state = "exited" if self.popen.poll() is not None else ("timed out" if not ok else "running")
            raise AssertionError(f"{state} before {count}x {pattern!r}; output:\n{self.output}")
        return found

    def finish(self, timeout: float = 60.0) -> int:
        rc = self.popen.wait(timeout)
        self.reader.join(5)
        return rc

    def signal(self, sig: int = signal.SIGTERM, timeout: float = 60.0) -> int:
        self.popen.send_signal(sig)
        return self.finish(timeout)

    def close(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(10)
        if self.popen.stdout is not None:
            self.reader.join(5)
            self.popen.stdout.close()


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., Proc]]:
    started: list[Proc] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Proc:
        proc = Proc(list(args), tmp_path, env)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.close()


def wait_db(engine: Engine, sql: str, predicate: Callable[[Any], bool], timeout: float = 30.0) -> Any:
    """Poll a query until ``predicate(value)``; the store is what the processes share."""
    deadline = time.monotonic() + timeout
    value: Any = None
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            value = conn.execute(text(sql)).scalar()
        if predicate(value):
            return value
        time.sleep(0.1)
    raise AssertionError(f"{sql!r} never satisfied the condition; last value {value!r}")


def scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()
