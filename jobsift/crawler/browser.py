"""Pages that need JavaScript: render them in Debian's headless Chromium through Playwright.

The same rules as plain HTTP apply: only http(s), robots.txt is checked through the fetcher's
``Politeness`` before the browser navigates, and the navigation holds one of the host's pacing
slots. Images, fonts and media are never downloaded (route interception), navigation has a
timeout, the rendered HTML has the fetcher's size cap, and the browser is always closed. Each
session uses its own profile directory; after closing, any process still running with that
directory on its command line (ours, by construction) is killed, so nothing is left behind (R31).

Settings: ``JOBSIFT_CHROMIUM`` (default ``/usr/bin/chromium``) is the executable; per source,
``wait_for`` (a CSS selector to wait for after the load event) and ``render_timeout`` (seconds,
default ``fetch.total_timeout``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import tempfile
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from jobsift.crawler.http_values import raise_for_status
from jobsift.errors import PermanentFetchError, RetryableFetchError

if TYPE_CHECKING:
    from jobsift.crawler.fetch import Fetcher, FetchResult

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",  # root in containers cannot use the setuid sandbox
    "--disable-gpu",
    "--disable-background-networking",  # keep Chromium itself off the network
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
BLOCKED_RESOURCES = frozenset({"image", "font", "media"})
#: Where session profiles are created (tests point it at their tmp dir to scan for leftovers).
PROFILE_ROOT: Path | None = None
CLOSE_GRACE = 10.0
LAUNCH_TIMEOUT = 30.0  # starting Chromium on a busy machine is slow; not the page's fault


def chromium_path() -> str:
    return os.environ.get("JOBSIFT_CHROMIUM") or DEFAULT_CHROMIUM


def processes_using(marker: str) -> list[int]:
    """Pids whose command line mentions ``marker`` (our unique profile directory)."""
    pids: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            pids.append(int(entry.name))
    return pids


class BrowserSession:
    """One headless Chromium for a few pages: ``async with BrowserSession(fetcher) as s``."""

    def __init__(self, fetcher: Fetcher, *, timeout: float | None = None) -> None:
        self.fetcher = fetcher
        self.timeout = float(timeout or fetcher.cfg.total_timeout)
        self.profile = ""
        self.stats: Counter[str] = Counter()
        self._pw: Any = None
        self._context: Any = None

    async def __aenter__(self) -> BrowserSession:
        executable = chromium_path()
        if not Path(executable).exists():
            raise PermanentFetchError(
                f"Chromium not found at {executable} (install Debian's chromium or set JOBSIFT_CHROMIUM)",
                reason="no_browser",
            )
        from playwright.async_api import async_playwright

        self.profile = tempfile.mkdtemp(prefix="jobsift-chromium-", dir=PROFILE_ROOT)
        try:
            self._pw = await async_playwright().start()
            self._context = await self._pw.chromium.launch_persistent_context(
                self.profile,
                executable_path=executable,
                headless=True,
                args=list(CHROMIUM_ARGS),
                user_agent=self.fetcher.cfg.user_agent,
                java_script_enabled=True,
                accept_downloads=False,
                service_workers="block",
                timeout=max(LAUNCH_TIMEOUT, self.timeout) * 1000,
            )
            await self._context.route("**/*", self._route)
        except Exception as exc:  # noqa: BLE001 - any launch failure is one clear "no browser" line
            await self.close()
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise PermanentFetchError(f"cannot start Chromium: {first}", reason="no_browser") from None
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _route(self, route: Any) -> None:
        request = route.request
        if request.resource_type in BLOCKED_RESOURCES or not request.url.startswith(("http://", "https://")):
            self.stats[f"browser/blocked/{request.resource_type}"] += 1
            await route.abort()
            return
        await route.continue_()

    async def close(self) -> None:
        """Close the browser whatever state it is in; kill what is left of it; drop the profile."""
        with contextlib.suppress(Exception):
            if self._context is not None:
                async with asyncio.timeout(CLOSE_GRACE):
                    await self._context.close()
        self._context = None
        with contextlib.suppress(Exception):
            if self._pw is not None:
                async with asyncio.timeout(CLOSE_GRACE):
                    await self._pw.stop()
        self._pw = None
        if self.profile:
            for pid in processes_using(self.profile):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
                    self.stats["browser/killed"] += 1
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = ""
        self.fetcher.stats.update(self.stats)
        self.stats.clear()

    async def render(self, url: str, *, wait_for: str | None = None, checked: bool = False) -> FetchResult:
        """Navigate to ``url`` politely and return the rendered HTML as a ``FetchResult``.

        ``checked``: the caller has already asked ``check_allowed`` (scheme, robots.txt) for ``url``.
        """
        from jobsift.crawler.fetch import FetchResult

        if not checked:
            await self.fetcher.check_allowed(url)
        limit = self.fetcher.cfg.max_bytes
        stats: Counter[str] = Counter({"browser/pages": 1})
        page = await self._context.new_page()
        try:
            async with self.fetcher.politeness.slot(url):
                # A page stuck in a JavaScript loop can also stall the protocol calls; the outer
                # timeout makes sure the run moves on whatever Chromium does.
                async with asyncio.timeout(self.timeout + 5):
                    status, final, body = await self._navigate(page, url, wait_for, limit)
        except TimeoutError:
            raise RetryableFetchError(
                f"page did not finish loading within {self.timeout:g}s: {url}", reason="render_timeout"
            ) from None
        finally:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2):
                    await page.close()
        self.fetcher.stats.update(stats)
        return FetchResult(
            url=final,
            status=status,
            body=body,
            headers={"content-type": "text/html; charset=utf-8"},
            stats=stats,
        )

    async def _navigate(self, page: Any, url: str, wait_for: str | None, limit: int) -> tuple[int, str, bytes]:
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        ms = self.timeout * 1000
        try:
            response = await page.goto(url, wait_until="load", timeout=ms)
            status = response.status if response is not None else 200
            headers = {k.lower(): v for k, v in (response.headers.items() if response else ())}
            raise_for_status(status, headers, url)
            if wait_for:
                await page.wait_for_selector(wait_for, state="attached", timeout=ms)
            size = await page.evaluate("() => document.documentElement.outerHTML.length")
            if int(size) > limit:
                raise PermanentFetchError(f"rendered page larger than the {limit:,}-byte cap", reason="too_large")
            html = await page.content()
        except PlaywrightTimeout:
            what = f"selector {wait_for!r} never appeared" if wait_for else "navigation timed out"
            raise RetryableFetchError(f"{what} after {self.timeout:g}s: {url}", reason="render_timeout") from None
        except PlaywrightError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise RetryableFetchError(f"browser error: {first}", reason="browser_error") from None
        body = html.encode("utf-8")
        if len(body) > limit:
            raise PermanentFetchError(f"rendered page larger than the {limit:,}-byte cap", reason="too_large")
        return status, page.url, body


async def fetch_page(url: str, *, fetcher: Fetcher, options: Mapping[str, Any]) -> FetchResult:
    """Render one page in a fresh headless Chromium; closed before this returns or raises."""
    timeout = options.get("render_timeout")
    wait_for = options.get("wait_for")
    await fetcher.check_allowed(url)  # refused or robots-blocked pages never start a browser
    async with fetcher.browser_slots, BrowserSession(fetcher, timeout=float(timeout) if timeout else None) as session:
        return await session.render(url, wait_for=str(wait_for) if wait_for else None, checked=True)
