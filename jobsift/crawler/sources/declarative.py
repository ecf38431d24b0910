"""A format described in ``jobsift.toml``, no Python: JSON (JSONPath), XML (XPath) or HTML (CSS).

Example::

    [[sources]]
    name = "acme-careers"
    format = "declarative"
    url = "https://careers.acme.example/jobs.json"
    [sources.options]
    kind = "json"
    items = "$.data.openings[*]"
    fields = { title = "name", url = "links.apply", posted_at = "opened", budget = "pay" }
    regex = { budget = "Pay: (.*)" }
    date_format = "%d/%m/%Y"

See ``declarative_spec.OPTIONS`` for every option and docs/sources.md for more examples.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast
from urllib.parse import urljoin

from jobsift.crawler.budget import make_budget, parse_amount, parse_budget
from jobsift.crawler.markup import looks_like_html
from jobsift.crawler.normalize import (
    canonical_url,
    clean_text,
    html_to_text,
    parse_date,
    sanitize_html,
    split_list,
    text_to_html,
    to_utc,
)
from jobsift.crawler.sources import register
from jobsift.crawler.sources.declarative_spec import OPTIONS, Spec, compile_spec
from jobsift.crawler.sources.jsonutil import as_bool, as_float, as_int, decode_text, empty, load_json
from jobsift.crawler.xmlsafe import parse_xml
from jobsift.errors import ParseError
from jobsift.model import Budget, BudgetKind, Client, Competition, ParseResult, Posting


def _to_str(value: Any, *, markup: bool = False) -> str | None:
    """A found value as text; elements give their text, or their inner HTML when ``markup``."""
    if value is None:
        return None
    if isinstance(value, str | int | float | bool):
        return str(value)
    if hasattr(value, "itertext"):  # an lxml element
        if markup:
            from lxml import etree

            inner = (value.text or "") + "".join(
                etree.tostring(child, encoding="unicode", method="html", with_tail=True) for child in value
            )
            return inner
        return "".join(value.itertext())
    if isinstance(value, list):
        return ", ".join(s for s in (_to_str(v) for v in value) if s)
    return str(value)


def _extract(spec: Spec, item: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, fn in spec.fields.items():
        try:
            found = fn(item)
        except Exception:  # noqa: BLE001 - a path that does not fit one item leaves that field unknown
            found = []
        if name == "skills":
            values: list[Any] = []
            for v in found:
                values.extend(v if isinstance(v, list) else [v])
            out[name] = [s for s in (_to_str(v) for v in values) if s]
            continue
        value = _to_str(found[0], markup=name == "description" and spec.kind == "html") if found else None
        rx = spec.regex.get(name)
        if value is not None and rx is not None:
            m = rx.search(value)
            value = m.group(1) if m else None
        out[name] = value
    return out


def _date(value: str | None, fmt: str | None) -> datetime | None:
    if not value:
        return None
    if fmt:
        try:
            return to_utc(datetime.strptime(value.strip(), fmt))
        except ValueError:
            pass
    return parse_date(value.strip())


def _budget(f: Mapping[str, Any], spec: Spec) -> Budget | None:
    kind = cast(BudgetKind | None, (f.get("budget_kind") or spec.budget_kind or "").strip().lower() or None)
    if kind not in (None, "fixed", "hourly", "salary_year", "salary_month"):
        kind = None
    currency = (f.get("currency") or spec.currency or "").strip() or None
    if f.get("budget_min") is not None or f.get("budget_max") is not None:
        return make_budget(parse_amount(f.get("budget_min")), parse_amount(f.get("budget_max")), currency, kind)
    if f.get("budget"):
        return parse_budget(f["budget"], kind_hint=kind, currency_hint=currency, provenance="field")
    return None


def _client(f: Mapping[str, Any]) -> Client | None:
    client = Client(
        name=clean_text(f.get("client_name")),
        payment_verified=as_bool(f.get("payment_verified")),
        total_spent=parse_amount(f.get("client_spent")),
        rating=as_float(f.get("client_rating")),
        reviews_count=as_int(f.get("client_reviews")),
        jobs_posted=as_int(f.get("client_jobs_posted")),
        hire_rate=as_float(f.get("client_hire_rate")),
    )
    return None if client.is_empty else client


def to_posting(f: Mapping[str, Any], spec: Spec, source: str) -> Posting | None:
    title = clean_text(f.get("title"))
    url = clean_text(f.get("url"))
    ident = clean_text(f.get("id"))
    if spec.base_url and (url or ident):
        url = urljoin(spec.base_url, url or ident or "")  # an id alone names a page under base_url
    key = ident or (canonical_url(url) if url else None)
    if not title or not key or not url:
        return None
    desc = f.get("description")
    is_html = looks_like_html(desc)
    text = html_to_text(desc)
    proposals = as_int(f.get("proposals"))
    return Posting(
        source=source,
        external_id=key,
        url=canonical_url(url),
        title=title,
        description_text=text,
        description_html=sanitize_html(desc) if is_html else text_to_html(text),
        posted_at=_date(f.get("posted_at"), spec.date_format),
        budget=_budget(f, spec),
        category=clean_text(f.get("category")),
        skills=split_list(f.get("skills")),
        country=clean_text(f.get("country")),
        experience_level=clean_text(f.get("experience_level")),
        company=clean_text(f.get("company")),
        job_type=clean_text(f.get("job_type")),
        location=clean_text(f.get("location")),
        remote=as_bool(f.get("remote")),
        competition=Competition(proposals=proposals) if proposals is not None else None,
        client=_client(f),
        raw=dict(f),
    )


def _items(body: bytes, headers: Mapping[str, str], spec: Spec) -> list[Any] | None:
    if spec.kind == "json":
        doc = load_json(body, headers)
        if doc is None:
            return None
        found = spec.items(doc)
        if len(found) == 1 and isinstance(found[0], list):  # "$.jobs" instead of "$.jobs[*]"
            found = found[0]
        return found
    if not body.strip():
        return None
    if spec.kind == "xml":
        return spec.items(parse_xml(body))
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(decode_text(body, headers))
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"not an HTML document: {exc}", reason="malformed") from None
    return spec.items(root)


@register(
    "declarative",
    description="Any JSON, XML or HTML document mapped to postings in jobsift.toml (JSONPath/XPath/CSS)",
    options=OPTIONS,
    full_listing=False,
    example_url="https://careers.example.com/jobs.json",
)
def parse(body: bytes, headers: Mapping[str, str], *, source: str, options: Mapping[str, Any]) -> ParseResult:
    spec = compile_spec(options, f"sources[{source}].options")
    items = _items(body, headers, spec)
    if items is None:
        return empty("empty body")
    result = ParseResult(items_seen=len(items))
    for item in items:
        posting = to_posting(_extract(spec, item), spec, source)
        if posting is None:
            result.warnings.append("item without title or url/id skipped")
        else:
            result.postings.append(posting)
    return result
