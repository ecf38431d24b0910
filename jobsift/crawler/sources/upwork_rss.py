"""Upwork-style job RSS: the budget, hourly range, posting time, category, skills and country
sit in the description HTML as ``<b>Label</b>: value`` lines.

Upwork's own RSS ended in 2024; third-party Upwork feed services and archives keep the shape.
A channel titled "... Payment verified jobs" came from a search filtered on verified payment,
so its items' clients are marked verified; otherwise payment verification stays unknown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from jobsift.crawler.budget import parse_budget
from jobsift.crawler.markup import describe
from jobsift.crawler.normalize import canonical_url, clean_text, clean_title, parse_date
from jobsift.crawler.sources import register
from jobsift.crawler.sources.rss import FeedItem, item_key, read_feed
from jobsift.model import Budget, Client, ParseResult, Posting

# A label, then its value: everything up to the next <br>, <b> or <a ...> (or the end), trailing
# blanks cut. The value's end is found with one search for those tags: a lazy ``(.*?)`` before a
# lookahead tried the lookahead at every character (a test checks both give the same fields).
_LABEL = re.compile(r"<b>\s*([A-Za-z][A-Za-z ]{1,30}?)\s*</b>\s*:?\s*", re.S | re.I)
_VALUE_END = re.compile(r"<br\s*/?>|<b>|<a\s", re.I)
_KNOWN = frozenset({"budget", "hourly range", "posted on", "category", "skills", "country"})
_BR = re.compile(r"<br\s*/?>", re.I)
_CIPHER = re.compile(r"(?:_|%7E|~)(?:%7E|~)?(0[0-9a-f]{15,})", re.I)
_TITLE_SUFFIX = re.compile(r"\s+-\s+Upwork\s*$")
_VERIFIED = re.compile(r"payment\s+verified", re.I)


def strip_site_suffix(title: str) -> str:
    """``title`` without a trailing " - Upwork"; the pattern only sees the last 100 characters, so a
    title of many blanks and dashes costs linear time (R32)."""
    cut = max(0, len(title) - 100)
    m = _TITLE_SUFFIX.search(title, cut)
    return title[: m.start()] if m else title


def strip_trailing_breaks(html_text: str) -> str:
    """``html_text`` without the ``<br>`` tags (and blanks) it ends with.

    Walks back from the end: a regex anchored with ``$`` would be tried at every position.
    """
    text = html_text.rstrip()
    cut = False
    while text.endswith(">"):
        i = text.rfind("<")
        if i < 0 or not _BR.fullmatch(text, i):
            break
        text, cut = text[:i].rstrip(), True
    return text if cut else html_text


def labelled_fields(description: str) -> tuple[dict[str, str], int | None]:
    """``<b>Budget</b>: $500`` lines as ``{"budget": "$500"}`` (first occurrence wins), and where
    the first known label starts (the end of the client's own text)."""
    out: dict[str, str] = {}
    start: int | None = None
    # Every label starts with "<b>": begin the scan there, not at the top of the client's text.
    found = [i for i in (description.find("<b>"), description.find("<B>")) if i >= 0]
    pos = min(found) if found else 0
    while (m := _LABEL.search(description, pos)) is not None:
        end = _VALUE_END.search(description, m.end())
        pos = end.start() if end else len(description)
        key = " ".join(m.group(1).lower().split())
        if key in _KNOWN and start is None:
            start = m.start()
        value = description[m.end() : pos].rstrip()
        if "<" in value:
            value = re.sub(r"<[^>]+>", " ", value)
        text = clean_text(html.unescape(value) if "&" in value else value)
        if text and key not in out:
            out[key] = text
    return out, start


def upwork_id(url: str | None) -> str | None:
    """The job's ciphertext (``~01ab...``), Upwork's stable id, from a job URL."""
    if not url:
        return None
    m = _CIPHER.search(url)
    return "~" + m.group(1).lower() if m else None


def budget_of(fields: Mapping[str, str]) -> Budget | None:
    if "hourly range" in fields:
        return parse_budget(fields["hourly range"], kind_hint="hourly", currency_hint="USD", provenance="field")
    if "budget" in fields:
        return parse_budget(fields["budget"], kind_hint="fixed", currency_hint="USD", provenance="field")
    return None


def posting_from_item(item: FeedItem, *, source: str, verified: bool | None) -> Posting | None:
    description = item.description or ""
    fields, cut = labelled_fields(description) if "<b>" in description.lower() else ({}, None)
    link = item.link or item.guid
    key = upwork_id(link) or upwork_id(item.guid) or item_key(item)
    title = clean_title(strip_site_suffix(item.title or ""))
    if not key or not title or not link:
        return None
    body = strip_trailing_breaks(description[:cut]) if cut is not None else description
    country = fields.get("country")
    client = Client(payment_verified=verified, country=country) if (verified or country) else None
    text, safe_html = describe(body)
    return Posting(
        source=source,
        external_id=key,
        url=canonical_url(link),
        title=title,
        description_text=text,
        description_html=safe_html,
        posted_at=parse_date(item.published) or parse_date(fields.get("posted on")),
        budget=budget_of(fields),
        category=fields.get("category"),
        skills=tuple(s for s in (clean_text(x) for x in fields.get("skills", "").split(",")) if s),
        country=country,
        client=client,
        raw={
            "title": item.title,
            "link": item.link,
            "guid": item.guid,
            "description": item.description,
            "published": item.published,
            "fields": fields,
        },
    )


@register(
    "upwork-rss",
    description="Upwork-style job RSS (budget, hourly range, category, skills, country in the description)",
    example_url="https://upwork-feed.example.com/rss?q=python",
)
def parse(body: bytes, headers: Mapping[str, str], *, source: str, options: Mapping[str, Any]) -> ParseResult:
    feed = read_feed(body, headers)
    verified = True if feed.title and _VERIFIED.search(feed.title) else None
    result = ParseResult(bozo=feed.bozo, warnings=list(feed.warnings), items_seen=len(feed.items))
    for item in feed.items:
        posting = posting_from_item(item, source=source, verified=verified)
        if posting is None:
            result.warnings.append("item without title or link skipped")
        else:
            result.postings.append(posting)
    return result
