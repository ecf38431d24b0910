"""Small pure helpers every parser shares: URLs, dates, clean text; HTML helpers from ``markup``."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from dateutil import parser as dateparser

from jobsift.crawler.markup import ALLOWED_TAGS, html_to_text, sanitize_html
from jobsift.crawler.textfix import CTRL_TABLE as _CTRL_TABLE
from jobsift.crawler.textfix import fix_mojibake

__all__ = [
    "ALLOWED_TAGS",
    "canonical_url",
    "clean_text",
    "clean_title",
    "fix_mojibake",
    "html_to_text",
    "parse_date",
    "sanitize_html",
    "split_list",
    "text_to_html",
    "to_utc",
]

TRACKING_PARAMS = frozenset(
    {"ref", "referrer", "source", "src", "fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "yclid"}
)
# A tag cannot contain "<": each character is scanned at most twice, so stripping is linear even on
# "<a <a <a ..." with no ">" (``<[^>]+>`` rescans to the end from every "<": quadratic, R32).
_TAG = re.compile(r"<[^<>]+>")
_RFC822_FAST = re.compile(
    r"^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s*([+-]\d{4}|GMT|UTC|UT|Z|[ECMP][SD]T)?\s*$"
)
_MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}
_ZONES = {
    "GMT": 0,
    "UTC": 0,
    "UT": 0,
    "Z": 0,
    "EST": -300,
    "EDT": -240,
    "CST": -360,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
}
_RFC822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d")


# A plain http(s) URL (ASCII host and path, no fragment) whose query can be judged without
# decoding: the common case, handled without urllib's split / parse / encode round trip.
_PLAIN_URL = re.compile(
    r"(https?)://([A-Za-z0-9.-]+(?::[0-9]{1,5})?)(/[!$%'()*+,./0-9:;=@A-Z_a-z~-]*)?(?:\?([^#\s]*))?"
)
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.-]+")


def _is_tracking(key: str) -> bool:
    low = key.lower()
    return low.startswith("utm_") or low in TRACKING_PARAMS


def _plain_canonical(url: str) -> str | None:
    """``canonical_url`` for a plain URL whose query is empty or only tracking parameters."""
    m = _PLAIN_URL.fullmatch(url)
    if m is None:
        return None
    scheme, netloc, path, query = m.groups()
    if query:
        for pair in query.split("&"):
            if not pair:
                continue
            key = pair.split("=", 1)[0]
            if not _PLAIN_KEY.fullmatch(key) or not _is_tracking(key):
                return None  # a parameter to keep: urllib re-encodes it
    return f"{scheme}://{netloc.lower()}{path or '/'}"


def canonical_url(url: str) -> str:
    """Drop fragments and tracking parameters (utm_*, ref, ...), lowercase scheme and host."""
    fast = _plain_canonical(url.strip())
    if fast is not None:
        return fast
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    if not parts.scheme or not parts.netloc:
        return url.strip()
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), ""))


def clean_text(value: Any) -> str | None:
    """Text with control characters removed and whitespace collapsed; None if empty."""
    if value is None:
        return None
    text = str(value)
    if not text.isprintable():  # printable text has no control characters: skip the slow translate
        text = text.translate(_CTRL_TABLE)
    return " ".join(fix_mojibake(text).split()) or None


def clean_title(value: Any) -> str | None:
    """A feed title: entities that feeds escape twice inside CDATA ("&amp;amp;") decoded, tags dropped."""
    if value is None:
        return None
    text = str(value)
    if "<" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return clean_text(text)


def to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_date(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime from epoch seconds/ms, ISO 8601 or RFC 822; else None.

    Never raises: a value that cannot be read as a date (year 1 or 9999 with an offset that moves
    it out of range, a 5,000-digit number, an object) is an unknown date (R35).
    """
    try:
        return _parse_date(value)
    except (ValueError, OverflowError, TypeError, OSError, IndexError, AttributeError):
        return None


def _parse_date(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        num = float(value)
        if num > 1e11:  # milliseconds
            num /= 1000
        try:
            return datetime.fromtimestamp(num, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    m = _RFC822_FAST.match(text)
    if m:  # the RSS date format, read directly: the hot path of every RSS item
        day, mon, year, hh, mm, ss, zone = m.groups()
        month = _MONTHS.get(mon.lower())
        offset = _ZONES.get(zone.upper()) if zone else 0
        if offset is None and zone and zone[0] in "+-":
            offset = (1 if zone[0] == "+" else -1) * (int(zone[1:3]) * 60 + int(zone[3:5]))
        if month and offset is not None:
            try:
                local = datetime(int(year), month, int(day), int(hh), int(mm), int(ss or 0), tzinfo=UTC)
            except ValueError:
                pass
            else:
                return local - timedelta(minutes=offset) if offset else local
    try:
        return to_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    if _RFC822.match(text):  # other RFC 822 variants
        try:
            return to_utc(parsedate_to_datetime(text))
        except (ValueError, TypeError, IndexError):
            pass
    try:
        return to_utc(dateparser.parse(text, tzinfos={"UTC": 0, "GMT": 0}))
    except (ValueError, OverflowError, TypeError):
        return None


def split_list(value: Any) -> tuple[str, ...]:
    """Tags or skills as a tuple of clean, de-duplicated strings."""
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else re.split(r"[,;|]", str(value))
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        text = clean_text(item if not isinstance(item, dict) else item.get("name"))
        if text and text.lower() not in seen:
            seen.add(text.lower())
            out.append(text)
    return tuple(out)


def text_to_html(text: str | None) -> str | None:
    """Plain text as safe HTML paragraphs (for sources whose descriptions are not HTML)."""
    if not text:
        return None
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paras) or None
