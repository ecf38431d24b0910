"""What the fetcher reads off a URL, a header or a transport error: the scheme check, "the same
site", Retry-After, and a refused or unknown host in words."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from jobsift.errors import PermanentFetchError, RetryableFetchError


def check_scheme(url: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise PermanentFetchError(
            f"refused {scheme or 'scheme-less'} URL {url!r}: only http and https are fetched",
            reason="bad_scheme",
        )


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in: what "the same site" means."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def connect_failure(netloc: str, exc: BaseException) -> str:
    """What went wrong connecting, in words: "connection refused by host:port", "host name ... not
    found", else the transport's own message (httpx hides the cause behind "All connection attempts failed")."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        if isinstance(seen, ConnectionRefusedError):
            return f"connection refused by {netloc}"
        if isinstance(seen, socket.gaierror):
            return f"host name {urlsplit('//' + netloc).hostname} not found ({seen.strerror})"
        seen = seen.__cause__ or seen.__context__
    return f"cannot connect to {netloc}: {exc or type(exc).__name__}"


def raise_for_status(status: int, headers: dict[str, str], url: str) -> None:
    """A retryable error for 429 and 5xx (with the server's Retry-After), a permanent one for the rest."""
    if status < 300 or status == 304:
        return
    if status == 429 or status >= 500:
        raise RetryableFetchError(
            f"HTTP {status} from {url}",
            reason=f"http_{status}",
            retry_after=parse_retry_after(headers.get("retry-after")),
        )
    raise PermanentFetchError(f"HTTP {status} from {url}", reason=f"http_{status}")
