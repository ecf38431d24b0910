"""Hacker News "Who is hiring" comments through the Algolia HN API.

Two shapes: search (``{"hits": [{objectID, comment_text, author, created_at_i, parent_id,
story_id}]}``) and an item with its ``children`` (the story; its direct children are the job
posts). By convention a post's first line is ``Company | Role | Location | REMOTE | $salary``;
the segments are classified by their content, and the salary is parsed from text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from typing import Any

from jobsift.crawler.budget import infer_salary_kind, parse_budget
from jobsift.crawler.normalize import clean_text, parse_date
from jobsift.crawler.sources import register
from jobsift.crawler.sources.jsonutil import describe, empty, first, load_json
from jobsift.errors import ParseError
from jobsift.model import Budget, ParseResult, Posting

ITEM_URL = "https://news.ycombinator.com/item?id={}"
_FIRST_LINE = re.compile(r"<p>|<br\s*/?>|\n", re.I)
_MONEY = re.compile(r"[$€£₹]\s?\d|\d\s?[kK]\b|\b(?:USD|EUR|GBP|CAD|AUD|CHF)\b|\d\s?(?:€|£)")
_REMOTE = re.compile(r"\bremote\b", re.I)
_ONSITE = re.compile(r"\b(?:on-?site|in[- ]office|onsite only)\b", re.I)
_HYBRID = re.compile(r"\bhybrid\b", re.I)
_TYPE = re.compile(r"\b(?:full[- ]?time|part[- ]?time|contract(?:or)?|intern(?:ship)?|freelance|permanent)\b", re.I)
_URL = re.compile(r"https?://|www\.|\.(?:com|io|ai|dev|org|co)\b", re.I)
_ROLE = re.compile(
    r"\b(?:engineers?|developers?|designers?|manager|scientists?|lead|head|cto|sre|devops|analysts?|"
    r"architects?|researchers?|programmers?|director|founding|writer|recruiter|product|marketing|sales|"
    r"frontend|backend|full[- ]?stack|ml|data|security|qa|support)\b",
    re.I,
)


def first_line(comment_html: str) -> str:
    m = _FIRST_LINE.search(comment_html)
    head = comment_html[: m.start()] if m else comment_html
    return clean_text(html.unescape(re.sub(r"<[^>]+>", "", head))) or ""


def read_header(line: str) -> dict[str, Any]:
    """Classify the ``|``-separated segments of a post's first line."""
    segs = [s.strip() for s in line.split("|") if s.strip()]
    out: dict[str, Any] = {
        "company": segs[0] if len(segs) > 1 else None,
        "title": None,
        "location": None,
        "remote": None,
        "salary": None,
        "job_type": None,
    }
    rest: list[str] = []
    for seg in segs[1:]:
        if out["salary"] is None and _MONEY.search(seg):
            out["salary"] = seg
        elif _REMOTE.search(seg) or _ONSITE.search(seg) or _HYBRID.search(seg):
            if _REMOTE.search(seg):
                out["remote"] = True
            elif out["remote"] is None:
                out["remote"] = False
            rest_of_seg = _HYBRID.sub("", _ONSITE.sub("", _REMOTE.sub("", seg))).strip(" ()/,-")
            if len(rest_of_seg) > 2 and out["location"] is None:
                out["location"] = seg
        elif _TYPE.fullmatch(seg) or (_TYPE.search(seg) and len(seg) < 25):
            out["job_type"] = seg
        elif _URL.search(seg):
            continue
        else:
            rest.append(seg)
    roles = [s for s in rest if _ROLE.search(s)]
    out["title"] = roles[0] if roles else (rest[0] if rest else None)
    places = [s for s in rest if s != out["title"]]
    if places and out["location"] is None:
        out["location"] = places[0]
    if out["title"] is None:
        out["title"] = line[:160] or None
    return out


def _salary(segment: str | None) -> Budget | None:
    return infer_salary_kind(parse_budget(segment)) if segment else None


def _comments(doc: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    if isinstance(doc.get("hits"), list):
        for hit in doc["hits"]:
            if not isinstance(hit, Mapping):
                continue
            parent, story = hit.get("parent_id"), hit.get("story_id")
            if parent is not None and story is not None and str(parent) != str(story):
                continue  # a reply to a job post, not a job post
            yield {
                "id": hit.get("objectID"),
                "text": hit.get("comment_text"),
                "author": hit.get("author"),
                "created": first(hit, "created_at_i", "created_at"),
                "raw": hit,
            }
    elif isinstance(doc.get("children"), list):
        for child in doc["children"]:
            if isinstance(child, Mapping) and child.get("type", "comment") == "comment":
                raw = {k: v for k, v in child.items() if k != "children"}
                yield {
                    "id": child.get("id"),
                    "text": child.get("text"),
                    "author": child.get("author"),
                    "created": first(child, "created_at_i", "created_at"),
                    "raw": raw,
                }


@register(
    "hn-algolia",
    description="Hacker News 'Who is hiring' comments via the Algolia HN API (search hits or item children)",
    full_listing=False,
    example_url="https://hn.algolia.com/api/v1/search_by_date?tags=comment,story_42575537&hitsPerPage=500",
)
def parse(body: bytes, headers: Mapping[str, str], *, source: str, options: Mapping[str, Any]) -> ParseResult:
    doc = load_json(body, headers)
    if doc is None:
        return empty("empty body")
    if not isinstance(doc, Mapping) or not ("hits" in doc or "children" in doc):
        raise ParseError("HN Algolia: expected search hits or an item with children", reason="malformed")
    result = ParseResult()
    for c in _comments(doc):
        result.items_seen += 1
        text = c["text"] if isinstance(c["text"], str) else ""
        if not c["id"] or not text.strip():
            continue  # deleted or flagged comments have no text
        head = read_header(first_line(text))
        text_, html_ = describe(text)
        result.postings.append(
            Posting(
                source=source,
                external_id=str(c["id"]),
                url=ITEM_URL.format(c["id"]),
                title=head["title"] or f"HN job post {c['id']}",
                description_text=text_,
                description_html=html_,
                posted_at=parse_date(c["created"]),
                budget=_salary(head["salary"]),
                company=head["company"],
                location=head["location"],
                remote=head["remote"],
                job_type=head["job_type"],
                raw=c["raw"],
            )
        )
    if isinstance(doc.get("nbPages"), int) and isinstance(doc.get("page"), int) and doc["page"] + 1 < doc["nbPages"]:
        result.warnings.append(f"more pages: page {doc['page'] + 1} of {doc['nbPages']}")
    return result
