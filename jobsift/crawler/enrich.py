"""Detail-page enrichment: fill a posting's missing client fields from its own page.

A source opts in with a ``detail`` option::

    [[sources]]
    name = "board"
    format = "rss"
    url = "https://board.example/jobs.rss"
    detail = { selectors = { payment_verified = ".client .payment", total_spent = ".client .spent" },
               browser = false, max_per_run = 20 }

After the source's batch is stored, up to ``max_per_run`` of its listed postings whose client is
unknown (no client, or a client with neither payment status nor spend) are visited, newest
first, through the same polite fetcher (robots.txt, per-host pacing, caps) or, with
``browser = true``, one headless Chromium for the whole batch. Each selector is a CSS selector;
``selector@attr`` reads an attribute instead of the text. Values are converted per field
(``"$12.5k"`` → 12500, ``"80%"`` → 0.8, ``"Payment verified"`` → True, ``"unverified"`` → False);
a selector that matches nothing leaves the field unknown. Known client values are never
overwritten; a change in the stats leaves a client snapshot (the store's one client write). A page
that fails is one warning; it never fails the source.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import lxml.html
from cssselect import SelectorError
from lxml.cssselect import CSSSelector
from sqlalchemy import Engine

from jobsift.config import SourceConfig
from jobsift.crawler.fetch import Fetcher, FetchResult
from jobsift.crawler.normalize import clean_text, parse_date
from jobsift.errors import ConfigError, FetchError, JobsiftError
from jobsift.model import Client
from jobsift.store.clients import ClientGap, fill_client, unknown_clients

FIELDS: dict[str, str] = {
    "name": "text",
    "payment_verified": "bool",
    "total_spent": "money",
    "jobs_posted": "int",
    "jobs_with_hires": "int",
    "hire_rate": "ratio",
    "open_jobs": "int",
    "reviews_count": "int",
    "rating": "float",
    "member_since": "date",
    "country": "text",
}
DEFAULT_MAX_PER_RUN = 20
DETAIL_MAX_BYTES = 2_000_000
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*([kKmM])?")


@dataclass(frozen=True, slots=True)
class DetailOptions:
    selectors: dict[str, str]
    browser: bool = False
    max_per_run: int = DEFAULT_MAX_PER_RUN
    wait_for: str | None = None


@dataclass(slots=True)
class EnrichReport:
    pages: int = 0
    filled: int = 0
    errors: list[str] = field(default_factory=list)
    stats: Counter[str] = field(default_factory=Counter)


def detail_options(raw: Any, where: str = "detail") -> DetailOptions:
    """Validate a source's ``detail`` table; ``ConfigError`` names the bad key."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a table like {{selectors = {{payment_verified = 'css'}}}}")
    unknown = set(raw) - {"selectors", "browser", "max_per_run", "wait_for"}
    if unknown:
        raise ConfigError(
            f"{where}.{sorted(unknown)[0]}: unknown key (known: browser, max_per_run, selectors, wait_for)"
        )
    selectors = raw.get("selectors")
    if not isinstance(selectors, Mapping) or not selectors:
        raise ConfigError(f"{where}.selectors: expected a table of client field = CSS selector")
    for name, sel in selectors.items():
        if name not in FIELDS:
            raise ConfigError(f"{where}.selectors.{name}: not a client field (known: {', '.join(FIELDS)})")
        if not isinstance(sel, str) or not sel.strip():
            raise ConfigError(f"{where}.selectors.{name}: expected a CSS selector")
        try:
            compiled(sel.rpartition("@")[0] if "@" in sel else sel)
        except SelectorError as exc:
            raise ConfigError(f"{where}.selectors.{name}: invalid CSS selector ({exc})") from None
    max_per_run = raw.get("max_per_run", DEFAULT_MAX_PER_RUN)
    if isinstance(max_per_run, bool) or not isinstance(max_per_run, int) or max_per_run < 0:
        raise ConfigError(f"{where}.max_per_run: expected a whole number >= 0")
    wait_for = raw.get("wait_for")
    return DetailOptions(
        selectors={str(k): str(v) for k, v in selectors.items()},
        browser=bool(raw.get("browser", False)),
        max_per_run=max_per_run,
        wait_for=str(wait_for) if wait_for else None,
    )


# --- values ----------------------------------------------------------------------------------


def to_bool(text: str) -> bool | None:
    low = text.lower()
    if re.search(r"\b(not|no)\b|unverified|^false$|^0$", low):
        return False
    if "verified" in low or low in ("yes", "true", "1", "✓", "✔"):
        return True
    return None


def to_number(text: str) -> float | None:
    match = _NUMBER.search(text)
    if not match:
        return None
    value = float(match.group(1).replace(",", ""))
    suffix = (match.group(2) or "").lower()
    return value * {"k": 1e3, "m": 1e6}.get(suffix, 1.0)


def convert(kind: str, text: str) -> Any:
    if kind == "text":
        return text
    if kind == "bool":
        return to_bool(text)
    if kind == "date":
        return parse_date(text)
    number = to_number(text)
    if number is None:
        return None
    if kind == "int":
        return int(number)
    if kind == "ratio":
        return number / 100 if "%" in text or number > 1 else number
    return number


@functools.lru_cache(maxsize=256)
def compiled(css: str) -> CSSSelector:
    """A CSS selector translated to XPath once, not once per page."""
    return CSSSelector(css)


def extract_client(html: bytes, selectors: Mapping[str, str]) -> Client:
    """The client fields the selectors find in ``html``; missing ones stay None."""
    try:
        doc = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return Client()
    values: dict[str, Any] = {}
    for name, sel in selectors.items():
        css, _, attr = sel.rpartition("@") if "@" in sel else (sel, "", "")
        found = compiled(css)(doc)
        if not found:
            continue
        raw = found[0].get(attr) if attr else found[0].text_content()
        text = clean_text(raw)
        if text is None:
            continue
        values[name] = convert(FIELDS[name], text)
    return Client(**values)


# --- the pass --------------------------------------------------------------------------------


def pending(engine: Engine, source: str, limit: int) -> list[ClientGap]:
    """Listed postings of ``source`` whose client is unknown, newest first."""
    with engine.connect() as conn:
        return unknown_clients(conn, source, limit)


def store_client(engine: Engine, source: str, row: ClientGap, client: Client, now: datetime) -> None:
    """Attach ``client`` to the posting through the store's client write (snapshot, stats hash, rescore)."""
    with engine.begin() as conn:
        fill_client(conn, source, row, client, now)


PageFetch = Callable[[str], Awaitable[FetchResult]]


async def enrich_source(
    engine: Engine,
    fetcher: Fetcher,
    src: SourceConfig,
    *,
    now: Callable[[], datetime],
    write_lock: asyncio.Lock | None = None,
) -> EnrichReport:
    """Visit the detail pages of ``src``'s postings with unknown clients; fill what the page says."""
    opts = detail_options(src.options.get("detail"), f"sources[{src.name}].detail")
    report = EnrichReport()
    rows = await asyncio.to_thread(pending, engine, src.name, opts.max_per_run)
    if not rows:
        return report
    lock = write_lock or asyncio.Lock()
    if opts.browser:
        from jobsift.crawler.browser import BrowserSession

        async with fetcher.browser_slots, BrowserSession(fetcher) as session:
            await _visit(
                engine, src, opts, rows, report, lock, now, lambda url: session.render(url, wait_for=opts.wait_for)
            )
    else:
        await _visit(
            engine,
            src,
            opts,
            rows,
            report,
            lock,
            now,
            lambda url: fetcher.fetch(url, max_bytes=DETAIL_MAX_BYTES, retries=min(2, fetcher.cfg.retries)),
        )
    return report


async def _visit(
    engine: Engine,
    src: SourceConfig,
    opts: DetailOptions,
    rows: list[ClientGap],
    report: EnrichReport,
    lock: asyncio.Lock,
    now: Callable[[], datetime],
    get: PageFetch,
) -> None:
    # One page at a time: detail pages usually share the feed's host, whose pace rules anyway.
    for row in rows:
        report.pages += 1
        report.stats["enrich/pages"] += 1
        try:
            page = await get(row.url)
        except FetchError as exc:
            report.stats[f"enrich/failed/{exc.reason}"] += 1
            report.errors.append(f"detail page {row.url}: {exc.reason}: {exc}")
            continue
        client = extract_client(page.body, opts.selectors)
        if client.is_empty:
            report.stats["enrich/nothing_found"] += 1
            continue
        try:
            async with lock:
                await asyncio.to_thread(store_client, engine, src.name, row, client, now())
        except JobsiftError as exc:
            report.errors.append(f"detail page {row.url}: {exc}")
            continue
        report.filled += 1
        report.stats["enrich/filled"] += 1
