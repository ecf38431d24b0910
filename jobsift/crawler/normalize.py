"""Small pure helpers every parser shares: URLs, dates, HTML to text, sanitised HTML."""

from __future__ import annotations

import functools
import html
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import cache
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
_BLANKS = re.compile(r"\n\s*\n+")
_BLOCK = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|/tr|p|li)\b[^>]*>[ \t]*\r?\n?", re.I)  # one break, not two
_TAG = re.compile(r"<[^>]+>")
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CTRL_TABLE = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_RFC822_FAST = re.compile(
    r"^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s*([+-]\d{4}|GMT|UTC|UT|Z|[ECMP][SD]T)?\s*$"
)
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_ZONES = {"GMT": 0, "UTC": 0, "UT": 0, "Z": 0, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300,
          "MST": -420, "MDT": -360, "PST": -480, "PDT": -420}
_RFC822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d")


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
    text = str(value).translate(_CTRL_TABLE)
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


def html_to_text(fragment: str | None) -> str | None:
    """Readable plain text of an HTML fragment (paragraphs kept as blank lines)."""
    if not fragment:
        return None
    text = _BLOCK.sub("\n", fragment)
    text = _TAG.sub("", text)
    text = html.unescape(html.unescape(text)) if "&amp;" in text else html.unescape(text)
    text = fix_mojibake(text.translate(_CTRL_TABLE))
    # str.split() runs in C and knows every Unicode blank; far cheaper than a regex per line.
    text = "\n".join([" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")])
    out = _BLANKS.sub("\n\n", text).strip()
    return out or None


def sanitize_html(fragment: str | None) -> str | None:
    """HTML safe to show: no scripts, handlers, iframes or javascript: links."""
    if not fragment:
        return None
    cleaned = nh3.clean(
        fragment.translate(_CTRL_TABLE),
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
                return local - timedelta(minutes=offset)
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


# --- mojibake -------------------------------------------------------------------------------
# UTF-8 bytes read as cp1252 / latin-1 / cp1251 ("â€“", "Ã©", "В©"): a lead byte 0xC2-0xF4 then
# 1-3 continuation bytes 0x80-0xBF. Each run is re-decoded only if it is valid UTF-8.
_MOJIBAKE_CODECS = ("cp1252", "latin-1", "cp1251")


def _chars(codec: str, lo: int, hi: int) -> str:
    out = []
    for b in range(lo, hi + 1):
        try:
            out.append(bytes([b]).decode(codec))
        except UnicodeDecodeError:
            continue
    return "".join(out)


@cache
def _mojibake_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    pats = []
    for codec in _MOJIBAKE_CODECS:
        # cp1251 leads are Cyrillic letters; only "В"/"в" (0xC2, 0xE2: "В©", "вЂ™") are common
        # enough in mojibake and rare enough before these symbols in real Russian text.
        lead = re.escape(_chars(codec, 0xC2, 0xF4) if codec != "cp1251" else "Вв")
        cont = re.escape(_chars(codec, 0x80, 0xBF))
        pats.append((codec, re.compile(f"[{lead}][{cont}]{{1,3}}")))
    return tuple(pats)


def _redecode(match: re.Match[str], codec: str) -> str:
    run = match.group(0)
    try:
        return run.encode(codec).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return run


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 text that was decoded with a single-byte codec; other text is returned as is."""
    if text.isascii():
        return text
    for codec, pattern in _mojibake_patterns():
        if pattern.search(text):
            text = pattern.sub(functools.partial(_redecode, codec=codec), text)
    return text


def text_to_html(text: str | None) -> str | None:
    """Plain text as safe HTML paragraphs (for sources whose descriptions are not HTML)."""
    if not text:
        return None
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paras) or None
