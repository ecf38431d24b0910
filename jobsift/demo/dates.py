"""Keep the demo's feeds fresh: move every date in them by the time since they were written.

The bundled feeds were written as if fetched at ``ANCHOR``. Served unchanged a month later, every
posting would be a month old (and the scores, which look at ages, would drift). The demo server
therefore shifts each date it serves by ``now - ANCHOR``, in every format the feeds use: RFC 822
(RSS ``pubDate``), ISO 8601 (with ``Z``, an offset or none), Upwork's "Posted On: November 22, 2026
05:20 UTC", and Unix seconds under date-like JSON keys. Relative ages (posted 40 minutes ago, a
client member since 2017) stay exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

#: The moment the bundled feeds describe as "now".
ANCHOR = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)

_RFC822 = re.compile(rb"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}")
_ISO = re.compile(rb"\b(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(Z|[+-]\d\d:\d\d)?")
_LONG = re.compile(rb"\b([A-Z][a-z]+ \d{1,2}, \d{4} \d\d:\d\d) UTC\b")
_EPOCH = re.compile(rb'("[a-z_]*(?:time|date|epoch|updated|submitted|_at)[a-z_]*"\s*:\s*)(\d{9,10})\b')


def shift_for(now: datetime) -> timedelta:
    """How far to move the feeds' dates so that ``ANCHOR`` becomes ``now`` (whole minutes)."""
    return (now - ANCHOR) // timedelta(minutes=1) * timedelta(minutes=1)


def _sub(pattern: re.Pattern[bytes], body: bytes, fn: Callable[[re.Match[bytes]], bytes]) -> bytes:
    def safe(m: re.Match[bytes]) -> bytes:
        try:
            return fn(m)
        except (ValueError, OverflowError):
            return m.group(0)  # not a real date after all: leave it alone

    return pattern.sub(safe, body)


def shift_dates(body: bytes, delta: timedelta) -> bytes:
    """``body`` with every recognised date moved by ``delta`` (same format, same offset)."""
    if not delta:
        return body

    def rfc822(m: re.Match[bytes]) -> bytes:
        return format_datetime(parsedate_to_datetime(m.group(0).decode()) + delta).encode()

    def iso(m: re.Match[bytes]) -> bytes:
        moved = datetime.fromisoformat(m.group(1).decode()) + delta
        return moved.strftime("%Y-%m-%dT%H:%M:%S").encode() + (m.group(2) or b"")

    def long(m: re.Match[bytes]) -> bytes:
        moved = datetime.strptime(m.group(1).decode(), "%B %d, %Y %H:%M") + delta
        return f"{moved:%B} {moved.day}, {moved:%Y %H:%M} UTC".encode()

    def epoch(m: re.Match[bytes]) -> bytes:
        return m.group(1) + str(int(m.group(2)) + int(delta.total_seconds())).encode()

    for pattern, fn in ((_RFC822, rfc822), (_ISO, iso), (_LONG, long), (_EPOCH, epoch)):
        body = _sub(pattern, body, fn)
    return body
