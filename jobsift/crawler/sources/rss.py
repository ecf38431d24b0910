"""Generic RSS 2.0 / Atom: a strict lxml fast path, feedparser when the feed is broken.

``read_feed`` is shared by the RSS-shaped formats (upwork-rss, weworkremotely).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from jobsift.crawler.budget import infer_salary_kind
from jobsift.crawler.budget_prose import budget_from_prose
from jobsift.crawler.markup import describe
from jobsift.crawler.normalize import canonical_url, clean_text, clean_title, parse_date
from jobsift.crawler.sources import register
from jobsift.crawler.sources.jsonutil import declared_charset
from jobsift.crawler.xmlsafe import local, parse_xml
from jobsift.errors import ParseError
from jobsift.model import ParseResult, Posting

ATOM = "{http://www.w3.org/2005/Atom}"
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*?\?>")


@dataclass(slots=True)
class FeedItem:
    """One entry, format-neutral: text fields plus every other child element by local name."""

    title: str | None = None
    link: str | None = None
    guid: str | None = None
    description: str | None = None  # HTML
    published: str | None = None
    categories: list[str] = field(default_factory=list)
    author: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def raw(self) -> dict[str, Any]:
        """The fields the RSS and We Work Remotely formats keep first in ``Posting.raw``."""
        return {
            "title": self.title,
            "link": self.link,
            "guid": self.guid,
            "description": self.description,
            "published": self.published,
            "categories": self.categories,
        }


@dataclass(slots=True)
class Feed:
    title: str | None = None
    items: list[FeedItem] = field(default_factory=list)
    bozo: bool = False
    warnings: list[str] = field(default_factory=list)


def _text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    if len(el) == 0:  # a leaf (the usual case): its text, without walking a subtree
        text = el.text
        return text.strip() or None if text else None
    return "".join(el.itertext()).strip() or None


# Tag -> local name: feeds use a handful of tags, so the namespace split is done once per tag.
_LOCAL_NAMES: dict[object, str] = {}


def _local(tag: object) -> str:
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = local(tag)
        if len(_LOCAL_NAMES) < 4096:  # bounded: a hostile feed may invent many tags
            _LOCAL_NAMES[tag] = name
    return name


def _rss_item(el: etree._Element) -> FeedItem:
    item = FeedItem()
    for child in el:
        name = _LOCAL_NAMES.get(child.tag) or _local(child.tag)
        if len(child):
            text = "".join(child.itertext()).strip() or None
        else:  # a leaf (the usual case): _text() inlined, this loop runs for every field
            text = child.text
            text = (text.strip() or None) if text else None
        if name == "title":
            item.title = text
        elif name == "link":
            item.link = text or child.get("href")
        elif name == "guid":
            item.guid = text
        elif name in ("description", "encoded", "content") and text:
            # content:encoded is usually the fuller HTML; prefer the longest.
            if item.description is None or len(text) > len(item.description):
                item.description = text
        elif name in ("pubdate", "date", "published", "updated") and item.published is None:
            item.published = text
        elif name == "category" and text:
            item.categories.append(text)
        elif name in ("author", "creator") and text:
            item.author = text
        elif text:
            item.extra.setdefault(name, text)
    return item


def _atom_entry(el: etree._Element) -> FeedItem:
    item = FeedItem()
    for child in el:
        name = local(child.tag)
        if name == "title":
            item.title = _text(child)
        elif name == "link":
            rel = child.get("rel", "alternate")
            if rel == "alternate" and item.link is None:
                item.link = child.get("href")
        elif name == "id":
            item.guid = _text(child)
        elif name in ("content", "summary"):
            text = (
                _text(child)
                if child.get("type", "text") != "xhtml"
                else etree.tostring(child, encoding="unicode", method="html")
            )
            if text and (item.description is None or name == "content"):
                item.description = text
        elif name in ("published", "updated"):
            if name == "published" or item.published is None:
                item.published = _text(child)
        elif name == "category":
            term = child.get("term") or _text(child)
            if term:
                item.categories.append(term)
        elif name == "author":
            item.author = _text(child.find(f"{ATOM}name")) or _text(child)
        else:
            text = _text(child)
            if text:
                item.extra.setdefault(name, text)
    return item


def _fast(body: bytes) -> Feed:
    root = parse_xml(body)
    kind = local(root.tag)
    feed = Feed()
    if kind == "feed":
        feed.title = _text(root.find(f"{ATOM}title"))
        feed.items = [_atom_entry(e) for e in root if local(e.tag) == "entry"]
        return feed
    if kind not in ("rss", "rdf"):
        raise ParseError(f"not an RSS or Atom document (root element <{kind}>)", reason="not_a_feed")
    channel = next((c for c in root if local(c.tag) == "channel"), None)
    if channel is not None:
        feed.title = _text(next((c for c in channel if local(c.tag) == "title"), None))
    scope = channel if channel is not None and kind == "rss" else root
    feed.items = [_rss_item(e) for e in scope if _local(e.tag) == "item"]
    return feed


def _tolerant(body: bytes, error: str) -> Feed:
    import feedparser  # only for broken feeds

    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    feed = Feed(title=parsed.feed.get("title"), bozo=True, warnings=[f"malformed feed salvaged: {error}"])
    if not parsed.entries and not parsed.feed:
        raise ParseError(f"not a feed: {error}", reason="malformed")
    for e in parsed.entries:
        content = e.get("content") or []
        desc = max([c.get("value", "") for c in content] + [e.get("summary", "") or ""], key=len)
        extra = {k: str(v) for k, v in e.items() if isinstance(v, str)}
        feed.items.append(
            FeedItem(
                title=e.get("title"),
                link=e.get("link"),
                guid=e.get("id"),
                description=desc or None,
                published=e.get("published") or e.get("updated"),
                categories=[t.get("term") for t in e.get("tags", []) if t.get("term")],
                author=e.get("author"),
                extra=extra,
            )
        )
    return feed


def _recode(body: bytes, headers: Mapping[str, str]) -> bytes | None:
    """Bytes that are not the UTF-8 they claim (or default to) re-decoded; None if they are UTF-8."""
    if body[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in body[:4]:
        return None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return None
    charset = declared_charset(headers)
    text = body.decode(charset if charset and charset != "utf-8" else "cp1252", errors="replace")
    return _XML_DECL.sub("", text, count=1).encode("utf-8")


def read_feed(body: bytes, headers: Mapping[str, str] | None = None) -> Feed:
    """Parse RSS/Atom bytes: strict and fast when well-formed, tolerant (bozo) otherwise."""
    if not body.strip():
        return Feed(warnings=["empty body"])
    try:
        return _fast(body)
    except ParseError as exc:
        if exc.reason != "malformed":
            raise
        error = str(exc)
    recoded = _recode(body, headers or {})
    if recoded is not None:
        try:
            feed = _fast(recoded)
        except ParseError as exc:
            if exc.reason != "malformed":
                raise
        else:
            feed.warnings.append("feed was not in the encoding it declared; re-decoded")
            return feed
    return _tolerant(recoded or body, error)


def item_key(item: FeedItem) -> str | None:
    """The natural key of an entry: its guid, or its link, canonicalised when a URL."""
    key = item.guid or item.link
    if not key:
        return None
    key = key.strip()
    return canonical_url(key) if key.startswith(("http://", "https://")) else key


@register(
    "rss",
    description="Any RSS 2.0, RSS 1.0 (RDF) or Atom feed",
    example_url="https://example.com/jobs.rss",
)
def parse(body: bytes, headers: Mapping[str, str], *, source: str, options: Mapping[str, Any]) -> ParseResult:
    feed = read_feed(body, headers)
    result = ParseResult(bozo=feed.bozo, warnings=list(feed.warnings), items_seen=len(feed.items))
    for item in feed.items:
        key = item_key(item)
        title = clean_title(item.title)
        url = item.link or (item.guid if item.guid and item.guid.startswith("http") else None)
        if not key or not title or not url:
            result.warnings.append(f"item without {'title' if not title else 'link or guid'} skipped")
            continue
        text, safe_html = describe(item.description)
        result.postings.append(
            Posting(
                source=source,
                external_id=key,
                url=url.strip(),
                title=title,
                description_text=text,
                description_html=safe_html,
                posted_at=parse_date(item.published),
                budget=infer_salary_kind(budget_from_prose(text)),
                category=clean_text(item.categories[0]) if item.categories else None,
                skills=tuple(c for c in (clean_text(x) for x in item.categories[1:]) if c),
                company=clean_text(item.author),
                raw={
                    **item.raw(),
                    "author": item.author,
                    **item.extra,
                },
            )
        )
    return result
