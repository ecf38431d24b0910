"""Small pure helpers every parser shares: URLs, dates, HTML to text, sanitised HTML."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import nh3
from dateutil import parser as dateparser

TRACKING_PARAMS = frozenset(
    {"ref", "referrer", "source", "src", "fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "yclid"}
)
ALLOWED_TAGS = frozenset(
    {"p", "br", "ul", "ol", "li", "b", "strong", "i", "em", "u", "a", "h1", "h2", "h3", "h4",
     "h5", "h6", "blockquote", "code", "pre", "hr", "span", "div", "table", "thead", "tbody",
     "tr", "td", "th"}
)
_WS = re.compile(r"[ \t\f\v\u00a0]+")
_BLANKS = re.compile(r"\n\s*\n+")
_BLOCK = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|/tr|p|li)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def canonical_url(url: str) -> str:
    """Drop fragments and tracking parameters (utm_*, ref, ...), lowercase scheme and host."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    if not parts.scheme or not parts.netloc:
        return url.strip()
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), "")
    )


def clean_text(value: Any) -> str | None:
    """Text with control characters removed and whitespace collapsed; None if empty."""
    if value is None:
        return None
    text = _CTRL.sub("", str(value))
    text = _WS.sub(" ", text).strip()
    return text or None


def html_to_text(fragment: str | None) -> str | None:
    """Readable plain text of an HTML fragment (paragraphs kept as blank lines)."""
    if not fragment:
        return None
    text = _BLOCK.sub("\n", fragment)
    text = _TAG.sub("", text)
    text = html.unescape(html.unescape(text)) if "&amp;" in text else html.unescape(text)
    text = _CTRL.sub("", text)
    lines = [_WS.sub(" ", line).strip() for line in text.splitlines()]
    out = _BLANKS.sub("\n\n", "\n".join(lines)).strip()
    return out or None


def sanitize_html(fragment: str | None) -> str | None:
    """HTML safe to show: no scripts, handlers, iframes or javascript: links."""
    if not fragment:
        return None
    cleaned = nh3.clean(
        _CTRL.sub("", fragment),
        tags=set(ALLOWED_TAGS),
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return cleaned.strip() or None


def to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_date(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime from epoch seconds/ms, ISO 8601 or RFC 822; else None."""
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
    try:
        return to_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    if text[:3].isalpha() and "," in text[:5]:  # RFC 822, the RSS date: a fast path
        try:
            return to_utc(parsedate_to_datetime(text))
        except (TypeError, ValueError, IndexError):
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
