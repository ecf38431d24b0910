"""One source's request and parse: options checked, headers and body built, the body parsed.

Nothing here touches the store: ``jobsift.crawler.run`` stores what these return, and
``jobsift source test`` prints it.
"""

from __future__ import annotations

import asyncio
import json
import os

from jobsift.config import Config, SourceConfig
from jobsift.crawler.fetch import Fetcher, FetchResult
from jobsift.crawler.sources import get_format
from jobsift.errors import ConfigError
from jobsift.model import ParseResult


def check_source(src: SourceConfig) -> None:
    """Raise ``ConfigError`` for options the format or the crawler would refuse."""
    get_format(src.format).check_options(src.options, f"sources[{src.name}]")
    if "detail" in src.options:
        from jobsift.crawler.enrich import detail_options

        detail_options(src.options["detail"], f"sources[{src.name}].detail")


def parse_body(src: SourceConfig, body: bytes, headers: dict[str, str]) -> ParseResult:
    """Parse a fetched body with the source's format and options."""
    fmt = get_format(src.format)
    fmt.check_options(src.options, f"sources[{src.name}]")
    return fmt.parse(body, headers, source=src.name, options=fmt.parser_options(src.options))


def redirect_headers(src: SourceConfig) -> list[str]:
    """Header names the source allows to follow a redirect to another origin (``keep_headers_on_redirect``)."""
    raw = src.options.get("keep_headers_on_redirect") or []
    if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
        raise ConfigError(f"sources[{src.name}].keep_headers_on_redirect: expected a list of header names")
    return list(raw)


def request_options(src: SourceConfig) -> tuple[dict[str, str], bytes | None]:
    """Extra headers and POST body from a source's options; tokens come from the environment.

    The token is read here, at fetch time, and only ever travels in the request header: it is
    not stored, logged or handed to the parser.
    """
    opts = src.options
    raw_headers = opts.get("headers") or {}
    if not isinstance(raw_headers, dict):
        raise ConfigError(f"sources[{src.name}].headers: expected a table of header names to values")
    headers = {str(k): str(v) for k, v in raw_headers.items()}
    for key in ("auth_env", "token_env"):
        env_name = opts.get(key)
        if env_name:
            token = os.environ.get(str(env_name))
            if not token:
                raise ConfigError(f"sources[{src.name}].{key}: environment variable {env_name} is not set")
            headers["Authorization"] = f"Bearer {token}"
    body = None
    if opts.get("post_json") is not None:
        body = json.dumps(opts["post_json"]).encode()
        headers.setdefault("Content-Type", "application/json")
    return headers, body


async def fetch_source(fetcher: Fetcher, src: SourceConfig, etag: str | None, last_modified: str | None) -> FetchResult:
    """Fetch a source: through the browser, the format's own fetch, or one plain request."""
    if src.browser:
        from jobsift.crawler.browser import fetch_page

        return await fetch_page(src.url, fetcher=fetcher, options=src.options)
    own_fetch = get_format(src.format).fetch
    if own_fetch is not None and src.options.get("post_json") is None and not src.options.get("plain_get"):
        result: FetchResult = await own_fetch(fetcher, src)
        return result
    headers, body = request_options(src)
    if body is not None:  # a POST has no validators to send
        etag = last_modified = None
    return await fetcher.fetch(
        src.url,
        etag=etag,
        last_modified=last_modified,
        extra_headers=headers,
        post_body=body,
        keep_on_redirect=redirect_headers(src),
    )


async def _test_source(cfg: Config, src: SourceConfig) -> tuple[FetchResult, ParseResult]:
    """Fetch and parse ``src`` with a fetcher of its own."""
    async with Fetcher(cfg.fetch) as fetcher:
        fetched = await fetch_source(fetcher, src, None, None)
    return fetched, parse_body(src, fetched.body, fetched.headers)


def test_source(cfg: Config, name: str) -> tuple[FetchResult, ParseResult]:
    """Fetch and parse one source without storing anything."""
    return asyncio.run(_test_source(cfg, cfg.source(name)))


test_source.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
