"""Crawl benchmark: 1,000 feeds on 100 loopback hosts with 100 ms server latency.

Every 127.0.0.x address is a distinct host to the crawler (its own robots.txt, pacing and
in-flight cap), so 1,000 feeds spread over 127.0.0.2-127.0.0.101 look like 100 sites. Each feed
answers after 100 ms with a small RSS document (5 items). The real ``Crawl`` fetches, parses
and stores them in a temporary SQLite file. The ideal for concurrency C is
``ceil(feeds / C) * 0.1 s`` (only the server latency, perfectly overlapped); the report is the
measured wall time against that ideal. A second baseline, measured in the same run, is the raw
HTTP fetch of the same URLs with the same concurrency and no parse or store.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from jobsift.config import Config, FetchConfig, SourceConfig
from jobsift.crawler.run import Crawl

LATENCY = 0.1
HOSTS = 100
ITEMS = 5


def feed_body(n: int) -> bytes:
    items = "".join(
        f"<item><title>Bench job {n}-{i}</title><link>https://bench.example/{n}/{i}</link>"
        f"<guid isPermaLink='false'>b{n}-{i}</guid><description>Build something. Budget ${100 + i}.</description>"
        "<pubDate>Sun, 22 Nov 2026 05:10:00 +0000</pubDate></item>"
        for i in range(ITEMS)
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>Feed {n}</title>"
        f"<link>https://bench.example/</link>{items}</channel></rss>"
    ).encode()


class LatencyServers:
    """Minimal HTTP/1.1 keep-alive servers on many loopback addresses, in one background loop."""

    def __init__(self, hosts: int, latency: float) -> None:
        self.hosts = [f"127.0.0.{2 + i}" for i in range(hosts)]
        self.latency = latency
        self.ports: dict[str, int] = {}
        self.requests = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._servers: list[asyncio.AbstractServer] = []

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                self.requests += 1
                if path == "/robots.txt":
                    status, body = "404 Not Found", b"no robots here"
                else:
                    await asyncio.sleep(self.latency)
                    status, body = "200 OK", feed_body(int(path.rsplit("/", 1)[1]))
                writer.write(
                    f"HTTP/1.1 {status}\r\nContent-Type: application/rss+xml\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def _start(self) -> None:
        for host in self.hosts:
            server = await asyncio.start_server(self._handle, host, 0)
            self._servers.append(server)
            self.ports[host] = server.sockets[0].getsockname()[1]

    def __enter__(self) -> LatencyServers:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)
        return self

    def __exit__(self, *_exc: object) -> None:
        async def stop() -> None:
            for server in self._servers:
                server.close()
                await server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def urls(self, feeds: int) -> list[str]:
        out = []
        for n in range(feeds):
            host = self.hosts[n % len(self.hosts)]
            out.append(f"http://{host}:{self.ports[host]}/feed/{n}")
        return out


def crawl_once(urls: list[str], concurrency: int, per_host_delay: float, db_dir: Path) -> tuple[float, Any]:
    from jobsift.store.db import open_store

    db = db_dir / f"crawl-c{concurrency}-d{per_host_delay:g}.db"
    engine = open_store(f"sqlite:///{db}")
    fetch = replace(
        FetchConfig(), concurrency=concurrency, per_host_delay=per_host_delay, per_host_concurrency=4, retries=1
    )
    sources = [SourceConfig(name=f"feed{n}", format="rss", url=u) for n, u in enumerate(urls)]
    cfg = replace(Config(), sources=sources, fetch=fetch)
    try:
        start = time.perf_counter()
        report = asyncio.run(Crawl(engine, cfg, trigger="bench").run(sources))
        return time.perf_counter() - start, report
    finally:
        engine.dispose()


def raw_fetch(urls: list[str], concurrency: int) -> float:
    async def go() -> float:
        limit = asyncio.Semaphore(concurrency)
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency * 2), trust_env=False) as client:

            async def one(u: str) -> None:
                async with limit:
                    (await client.get(u)).raise_for_status()

            start = time.perf_counter()
            await asyncio.gather(*(one(u) for u in urls))
            return time.perf_counter() - start

    return asyncio.run(go())


def run(quick: bool) -> list[dict[str, Any]]:
    feeds = 200 if quick else 1000
    records: list[dict[str, Any]] = []
    with LatencyServers(HOSTS, LATENCY) as servers, tempfile.TemporaryDirectory() as tmp:
        urls = servers.urls(feeds)
        for concurrency in (16, 64):
            ideal = math.ceil(feeds / concurrency) * LATENCY
            raw = raw_fetch(urls, concurrency)
            wall, report = crawl_once(urls, concurrency, 0.0, Path(tmp))
            ok = sum(1 for o in report.outcomes if o.outcome == "ok")
            records.append(
                {
                    "name": f"crawl {feeds} feeds, concurrency {concurrency}",
                    "value": round(wall, 2),
                    "unit": "s",
                    "baseline": round(ideal, 2),
                    "ratio": round(wall / ideal, 2),
                    "note": f"ideal ceil({feeds}/{concurrency})*0.1s; {ok}/{feeds} ok, "
                    f"{report.stats['store/new']} postings stored; raw HTTP fetch alone {raw:.2f}s "
                    f"({raw / ideal:.2f}x ideal); per_host_delay 0",
                }
            )
        # The polite default: 1 s between requests to one host, 10 feeds per host.
        per_host = math.ceil(feeds / HOSTS)
        wall, report = crawl_once(urls, 64, 1.0, Path(tmp))
        ideal = max(math.ceil(feeds / 64) * LATENCY, (per_host - 1) * 1.0 + LATENCY)
        records.append(
            {
                "name": f"crawl {feeds} feeds, concurrency 64, per_host_delay 1s",
                "value": round(wall, 2),
                "unit": "s",
                "baseline": round(ideal, 2),
                "ratio": round(wall / ideal, 2),
                "note": f"ideal: {per_host} feeds per host spaced 1 s apart; "
                f"{sum(1 for o in report.outcomes if o.outcome == 'ok')}/{feeds} ok",
            }
        )
    return records


if __name__ == "__main__":
    for rec in run(quick=False):
        print(rec)
