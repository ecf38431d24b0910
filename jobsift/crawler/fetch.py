"""HTTP fetching with caps: timeouts, body size (after decompression), redirects, retries.

``Fetcher.fetch`` returns a ``FetchResult`` or raises a ``FetchError`` subclass whose ``reason`` is a
stable code (``timeout``, ``http_503``, ``too_large``, ``truncated``, ``bad_scheme``, ...).
"""

from __future__ import annotations

import asyncio
import random
import ssl
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from jobsift.config import FetchConfig
from jobsift.crawler.decoding import CHUNK, Decoder
from jobsift.crawler.http_values import check_scheme, connect_failure, origin, raise_for_status
from jobsift.crawler.politeness import Politeness, host_of
from jobsift.errors import (
    DeferredError,
    FetchError,
    PermanentFetchError,
    RetryableFetchError,
)

ROBOTS_MAX_BYTES = 512_000
BROWSERS_AT_ONCE = 2


@dataclass(slots=True)
class FetchResult:
    url: str
    status: int
    body: bytes
    headers: dict[str, str]
    etag: str | None = None
    last_modified: str | None = None
    attempts: int = 1
    stats: Counter[str] = field(default_factory=Counter)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


SleepFn = Callable[[float], Awaitable[None]]


class Fetcher:
    """One shared HTTP client for a crawl; polite, capped, retrying.

    ``sleep`` and ``jitter`` are injectable so tests can check the backoff schedule without
    waiting: ``jitter()`` returns a number in [0, 1) that scales the backoff by 0.5-1.5.
    """

    def __init__(
        self,
        cfg: FetchConfig,
        *,
        politeness: Politeness | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: SleepFn | None = None,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.cfg = cfg
        self.politeness = politeness or Politeness(
            user_agent=cfg.user_agent,
            per_host_delay=cfg.per_host_delay,
            per_host_concurrency=cfg.per_host_concurrency,
            respect_robots=cfg.respect_robots,
            robots_ttl=cfg.robots_ttl,
        )
        self._transport = transport
        # One small connection pool per host: httpcore scans its whole pool for every request,
        # so a single pool over hundreds of hosts costs more CPU than the requests themselves.
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._ssl: ssl.SSLContext | None = None  # built once: loading the CA store takes ~30 ms
        self.sleep: SleepFn = sleep or asyncio.sleep
        # Headless Chromium costs hundreds of MB: at most this many run at once per crawl.
        self.browser_slots = asyncio.Semaphore(BROWSERS_AT_ONCE)
        self.jitter = jitter
        self.stats: Counter[str] = Counter()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()

    def _client_for(self, url: str) -> httpx.AsyncClient:
        host = host_of(url)
        client = self._clients.get(host)
        if client is None:
            cfg = self.cfg
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            client = httpx.AsyncClient(
                timeout=httpx.Timeout(
                    connect=cfg.connect_timeout,
                    read=cfg.read_timeout,
                    write=cfg.read_timeout,
                    pool=cfg.total_timeout,
                ),
                follow_redirects=False,
                transport=self._transport,
                verify=self._ssl,
                headers={"User-Agent": cfg.user_agent, "Accept-Encoding": "gzip, deflate"},
                limits=httpx.Limits(max_connections=cfg.per_host_concurrency + 1),
                trust_env=False,
            )
            self._clients[host] = client
        return client

    # -- one request ----------------------------------------------------------------------

    async def _request(
        self, url: str, headers: dict[str, str], limit: int, content: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        method = "GET" if content is None else "POST"
        try:
            async with asyncio.timeout(self.cfg.total_timeout):
                async with self._client_for(url).stream(method, url, headers=headers, content=content) as resp:
                    resp_headers = {k.lower(): v for k, v in resp.headers.items()}
                    if resp.status_code >= 300:
                        return resp.status_code, resp_headers, b""
                    body = await self._read_body(resp, resp_headers, limit)
                    return resp.status_code, resp_headers, body
        except TimeoutError:
            raise RetryableFetchError(
                f"no complete answer within {self.cfg.total_timeout:g}s", reason="timeout"
            ) from None
        except httpx.TimeoutException as exc:
            kind = type(exc).__name__.replace("Timeout", " timeout").lower().strip()
            raise RetryableFetchError(f"{kind} from {urlsplit(url).netloc}", reason="timeout") from None
        except httpx.RemoteProtocolError as exc:
            raise RetryableFetchError(
                f"connection dropped mid-response ({exc}); body discarded", reason="truncated"
            ) from None
        except httpx.TransportError as exc:
            raise RetryableFetchError(connect_failure(urlsplit(url).netloc, exc), reason="connect_error") from None

    @staticmethod
    async def _read_body(resp: httpx.Response, headers: dict[str, str], limit: int) -> bytes:
        """Stream the body through the decoder; abort as soon as a cap is crossed."""
        declared = headers.get("content-length", "").strip()
        expected = int(declared) if declared.isdigit() else None
        decoder = Decoder(headers.get("content-encoding", ""), limit)
        if expected is not None and expected > limit:
            # Compressed bodies are never smaller than their wire size by much: refuse early.
            raise PermanentFetchError(f"Content-Length {expected:,} is over the {limit:,}-byte cap", reason="too_large")
        body = bytearray()
        wire = 0
        async for chunk in resp.aiter_raw(CHUNK):
            wire += len(chunk)
            if wire > limit:
                raise PermanentFetchError(f"body larger than the {limit:,}-byte cap (on the wire)", reason="too_large")
            body += decoder.feed(chunk)
        body += decoder.flush()
        if expected is not None and wire < expected:
            # httpx normally raises for this; never let a short body pass as a short feed.
            raise RetryableFetchError(
                f"connection dropped after {wire:,} of {expected:,} bytes; body discarded",
                reason="truncated",
            )
        return bytes(body)

    async def _follow(
        self,
        url: str,
        headers: dict[str, str],
        limit: int,
        *,
        robots: bool,
        content: bytes | None = None,
        private: frozenset[str] = frozenset(),
    ) -> tuple[str, int, dict[str, str], bytes]:
        """Follow redirects; on leaving the origin, drop ``Authorization`` and every header in ``private``."""
        current = url
        for _hop in range(self.cfg.max_redirects + 1):
            check_scheme(current)
            if robots:
                await self.politeness.check_robots(current, self._fetch_robots)
            async with self.politeness.slot(current):
                status, resp_headers, body = await self._request(current, headers, limit, content)
            if status in (301, 302, 303, 307, 308):
                location = resp_headers.get("location")
                if not location:
                    raise PermanentFetchError(f"HTTP {status} without Location", reason="bad_redirect")
                nxt = urljoin(current, location)
                if origin(nxt) != origin(current):
                    # Credentials and configured headers never follow a redirect to another scheme,
                    # host or port (R38), unless the source listed them in keep_headers_on_redirect.
                    dropped = private | {"authorization"}
                    headers = {k: v for k, v in headers.items() if k.lower() not in dropped}
                if status in (301, 302, 303):
                    content = None  # browsers turn these into a GET
                current = nxt
                self.stats["fetch/redirects"] += 1
                continue
            return current, status, resp_headers, body
        raise PermanentFetchError(
            f"more than {self.cfg.max_redirects} redirects starting at {url}", reason="too_many_redirects"
        )

    async def _fetch_robots(self, url: str) -> tuple[int, bytes]:
        self.stats["robots/requests"] += 1
        _final, status, _h, body = await self._follow(url, {}, ROBOTS_MAX_BYTES, robots=False)
        return status, body

    async def check_allowed(self, url: str) -> None:
        """Refuse ``url`` the way ``fetch`` would before any request: scheme, then robots.txt."""
        check_scheme(url)
        await self.politeness.check_robots(url, self._fetch_robots)

    def backoff_delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed ``attempt`` (1-based): exponential, jittered, >= Retry-After."""
        backoff = min(self.cfg.backoff_max, self.cfg.backoff_base * 2 ** (attempt - 1))
        return float(max(retry_after or 0.0, backoff * (0.5 + self.jitter())))

    # -- the public call ------------------------------------------------------------------

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        post_body: bytes | None = None,
        keep_on_redirect: Collection[str] = (),
    ) -> FetchResult:
        """GET (or POST ``post_body``) ``url`` politely; retries retryable failures with backoff.

        ``extra_headers`` are sent only to ``url``'s origin: a redirect to another scheme, host or
        port drops them all, except the names in ``keep_on_redirect`` (never ``Authorization``).
        """
        check_scheme(url)
        headers: dict[str, str] = dict(extra_headers or {})
        keep = {k.lower() for k in keep_on_redirect} - {"authorization"}
        private = frozenset(k.lower() for k in headers if k.lower() not in keep)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        limit = max_bytes or self.cfg.max_bytes
        stats: Counter[str] = Counter()
        last_error: FetchError | None = None
        attempts = max(1, self.cfg.retries if retries is None else retries)
        for attempt in range(1, attempts + 1):
            stats["fetch/attempts"] += 1
            try:
                final, status, resp_headers, body = await self._follow(
                    url, headers, limit, robots=True, content=post_body, private=private
                )
                raise_for_status(status, resp_headers, final)
            except RetryableFetchError as exc:
                last_error = exc
                stats[f"fetch/retryable/{exc.reason}"] += 1
                wait = exc.retry_after
                if wait is not None and wait > self.cfg.max_retry_after:
                    self.stats.update(stats)
                    raise DeferredError(
                        f"{exc}; server asks to wait {wait:g}s (cap {self.cfg.max_retry_after:g}s): "
                        "deferred to a later run",
                        reason="deferred",
                        retry_after=wait,
                    ) from None
                if attempt == attempts:
                    break
                stats["fetch/retries"] += 1
                await self.sleep(self.backoff_delay(attempt, wait))
                continue
            except FetchError as exc:
                stats[f"fetch/permanent/{exc.reason}"] += 1
                self.stats.update(stats)
                raise
            stats[f"fetch/status/{status}"] += 1
            if status == 304:
                stats["fetch/not_modified"] += 1
            self.stats.update(stats)
            return FetchResult(
                url=final,
                status=status,
                body=body,
                headers=resp_headers,
                etag=resp_headers.get("etag") or (etag if status == 304 else None),
                last_modified=resp_headers.get("last-modified") or (last_modified if status == 304 else None),
                attempts=attempt,
                stats=stats,
            )
        self.stats.update(stats)
        assert last_error is not None
        raise RetryableFetchError(f"gave up after {attempts} attempts: {last_error}", reason=last_error.reason)
