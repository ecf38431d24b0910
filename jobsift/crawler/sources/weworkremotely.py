"""We Work Remotely RSS: titles read "Company: Role"; ``region``, ``category`` and ``type`` are
extra item elements; the description HTML starts with the company's headquarters and URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jobsift.crawler.markup import describe
from jobsift.crawler.normalize import canonical_url, clean_text, clean_title, parse_date
from jobsift.crawler.sources import register
from jobsift.crawler.sources.rss import item_key, read_feed
from jobsift.model import ParseResult, Posting

_HQ = re.compile(r"<strong>\s*Headquarters:?\s*</strong>:?\s*([^<]+)", re.I)


def split_title(title: str) -> tuple[str | None, str]:
    """``"Acme Inc: Senior Dev"`` → ``("Acme Inc", "Senior Dev")``."""
    company, sep, role = title.partition(":")
    if sep and company.strip() and role.strip():
        return company.strip(), role.strip()
    return None, title


@register(
    "weworkremotely",
    description="We Work Remotely RSS (company from the title, region, category, job type)",
    example_url="https://weworkremotely.com/categories/remote-back-end-programming-jobs.rss",
)
def parse(body: bytes, headers: Mapping[str, str], *, source: str, options: Mapping[str, Any]) -> ParseResult:
    feed = read_feed(body, headers)
    result = ParseResult(bozo=feed.bozo, warnings=list(feed.warnings), items_seen=len(feed.items))
    for item in feed.items:
        key, full = item_key(item), clean_title(item.title)
        url = item.link or item.guid
        if not key or not full or not url:
            result.warnings.append("item without title or link skipped")
            continue
        company, title = split_title(full)
        region = clean_text(item.extra.get("region"))
        hq = _HQ.search(item.description or "")
        text, safe_html = describe(item.description)
        result.postings.append(
            Posting(
                source=source,
                external_id=key,
                url=canonical_url(url),
                title=title,
                description_text=text,
                description_html=safe_html,
                posted_at=parse_date(item.published),
                category=clean_text(item.categories[0]) if item.categories else None,
                company=company,
                job_type=clean_text(item.extra.get("type")),
                location=region,
                remote=True,
                raw={
                    **item.raw(),
                    **item.extra,
                    **({"headquarters": clean_text(hq.group(1))} if hq else {}),
                },
            )
        )
    return result
