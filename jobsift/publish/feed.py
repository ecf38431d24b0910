"""RSS 2.0 and Atom feeds of a filtered listing, built with lxml so the output is always valid XML.

Each item's title starts with its quality and flags (``[34 ghost,lowball] Logo design``), its
categories are the flag codes plus the job's category, and its description is a small HTML
document (escaped inside the XML) with the budget, the reasons and a text snippet. Text from the
source is escaped twice over: HTML-escaped into that document, then XML-escaped by lxml, and
XML-invalid control characters are dropped (R18).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from lxml import etree

from jobsift.publish.present import (
    budget_text,
    client_lines,
    flag_label,
    flagged_reasons,
    ghost_basis_line,
    ghost_words,
    one_line,
    quality_text,
    safe_url,
    snippet,
    title_prefix,
    xml_text,
)
from jobsift.store.records import Job

ATOM_NS = "http://www.w3.org/2005/Atom"
GENERATOR = "jobsift"


def job_link(job: Job, base_url: str) -> str:
    """The posting's own URL, or our page for it when the source URL is not http(s)."""
    return safe_url(job.url) or f"{base_url.rstrip('/')}/jobs/{job.id}"


def item_html(job: Job, base_url: str = "") -> str:
    """The HTML shown by a feed reader for one job (every source value escaped)."""
    e = html.escape
    parts = [f"<p><b>Quality {e(quality_text(job.quality))}</b>"]
    flags = job.flags
    if flags:
        parts.append(" · flags: " + ", ".join(e(flag_label(f)) for f in flags))
    budget = budget_text(job.budget)
    if budget:
        parts.append(f" · budget {e(budget)}")
    parts.append(f" · {e(str(job.source or ''))}</p>")
    words = ghost_words(job)
    if words:
        parts.append(f"<p>{e(words[:1].upper() + words[1:])}. {e(ghost_basis_line(job))}</p>")
    reasons = flagged_reasons(job)
    if reasons:
        parts.append("<ul>" + "".join(f"<li>{e(str(r['text']))}</li>" for r in reasons[:8]) + "</ul>")
    client = client_lines(job)
    if client:
        parts.append(f"<p>Client: {e(' · '.join(client))}</p>")
    text = snippet(job.description, 600)
    if text:
        parts.append(f"<p>{e(text)}</p>")
    if base_url:
        parts.append(f'<p><a href="{e(base_url.rstrip("/"))}/jobs/{int(job.id)}">Why this score</a></p>')
    return xml_text("".join(parts))


def _when(job: Job) -> datetime:
    when = job.posted_at or job.first_seen_at or datetime.now(UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _categories(job: Job) -> list[str]:
    cats = [str(f) for f in job.flags]
    if job.category:
        cats.append(str(job.category))
    return [xml_text(c) for c in cats if xml_text(c).strip()]


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_text(text)
    return el


def render_rss(
    jobs: Sequence[Job],
    *,
    title: str = "jobsift",
    link: str = "http://localhost/",
    self_url: str | None = None,
    description: str = "Jobs worth a look, with the reasons",
) -> bytes:
    """An RSS 2.0 document (UTF-8 bytes)."""
    rss = etree.Element("rss", {"version": "2.0"}, nsmap={"atom": ATOM_NS})
    channel = _sub(rss, "channel")
    _sub(channel, "title", title)
    _sub(channel, "link", link)
    _sub(channel, "description", description)
    _sub(channel, "generator", GENERATOR)
    _sub(channel, "lastBuildDate", format_datetime(datetime.now(UTC)))
    if self_url:
        _sub(channel, f"{{{ATOM_NS}}}link", href=self_url, rel="self", type="application/rss+xml")
    for job in jobs:
        item = _sub(channel, "item")
        _sub(item, "title", title_prefix(job) + one_line(job.title, 300))
        _sub(item, "link", job_link(job, link))
        guid = _sub(item, "guid", f"jobsift:{job.source}:{job.external_id}")
        guid.set("isPermaLink", "false")
        _sub(item, "pubDate", format_datetime(_when(job)))
        for cat in _categories(job):
            _sub(item, "category", cat)
        _sub(item, "description", item_html(job, link))
    return bytes(etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def render_atom(
    jobs: Sequence[Job],
    *,
    title: str = "jobsift",
    link: str = "http://localhost/",
    self_url: str | None = None,
    feed_id: str | None = None,
) -> bytes:
    """An Atom 1.0 document (UTF-8 bytes)."""
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    _sub(feed, f"{{{ATOM_NS}}}id", feed_id or self_url or link)
    _sub(feed, f"{{{ATOM_NS}}}title", title)
    updated = max((_when(j) for j in jobs), default=datetime.now(UTC))
    _sub(feed, f"{{{ATOM_NS}}}updated", updated.isoformat())
    author = _sub(feed, f"{{{ATOM_NS}}}author")
    _sub(author, f"{{{ATOM_NS}}}name", GENERATOR)
    _sub(feed, f"{{{ATOM_NS}}}generator", GENERATOR)
    _sub(feed, f"{{{ATOM_NS}}}link", href=link, rel="alternate", type="text/html")
    if self_url:
        _sub(feed, f"{{{ATOM_NS}}}link", href=self_url, rel="self", type="application/atom+xml")
    for job in jobs:
        entry = _sub(feed, f"{{{ATOM_NS}}}entry")
        _sub(entry, f"{{{ATOM_NS}}}id", f"tag:jobsift,2026:{job.source}/{job.external_id}")
        _sub(entry, f"{{{ATOM_NS}}}title", title_prefix(job) + one_line(job.title, 300))
        _sub(entry, f"{{{ATOM_NS}}}link", href=job_link(job, link), rel="alternate")
        _sub(entry, f"{{{ATOM_NS}}}updated", _when(job).isoformat())
        _sub(entry, f"{{{ATOM_NS}}}published", _when(job).isoformat())
        for cat in _categories(job):
            _sub(entry, f"{{{ATOM_NS}}}category", term=cat)
        _sub(entry, f"{{{ATOM_NS}}}content", item_html(job, link), type="html")
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def render_feed(jobs: Sequence[Job], *, atom: bool = False, **kwargs: Any) -> bytes:
    return render_atom(jobs, **kwargs) if atom else render_rss(jobs, **kwargs)
