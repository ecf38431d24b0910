"""The declarative source's options, validated and compiled once: JSONPath, XPath or CSS per field.

Every problem is a ``ConfigError`` naming the option key (``fields.title``, ``regex.budget``, ...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jobsift.crawler.sources.common import FETCH_OPTIONS
from jobsift.errors import ConfigError

KINDS = ("json", "xml", "html")
TEXT_FIELDS = (
    "title",
    "url",
    "id",
    "description",
    "company",
    "category",
    "country",
    "location",
    "job_type",
    "experience_level",
    "client_name",
    "budget",
    "currency",
    "budget_kind",
)
NUMBER_FIELDS = (
    "budget_min",
    "budget_max",
    "client_spent",
    "client_rating",
    "client_reviews",
    "client_jobs_posted",
    "client_hire_rate",
    "proposals",
)
BOOL_FIELDS = ("remote", "payment_verified")
DATE_FIELDS = ("posted_at",)
LIST_FIELDS = ("skills",)
FIELDS = TEXT_FIELDS + NUMBER_FIELDS + BOOL_FIELDS + DATE_FIELDS + LIST_FIELDS
OPTIONS = {
    "kind": "Document kind: json (JSONPath), xml (XPath) or html (CSS selectors)",
    "items": "Path to the list of items: JSONPath ($.jobs[*]), XPath (//item) or a CSS selector (div.job)",
    "fields": "Table of posting field = path relative to an item (title and url or id are required); "
    "html: 'selector' for text, 'selector@attr' for an attribute, '@attr' for the item's own",
    "regex": "Table of field = regular expression with one group, applied to the extracted text",
    "date_format": "strptime format of posted_at (default: ISO 8601, RFC 822 or epoch seconds)",
    "base_url": "Base for relative links in url",
    "currency": "Currency code of budgets that do not state one",
    "budget_kind": "fixed, hourly, salary_year or salary_month, for budgets that do not say",
    "namespaces": "xml: table of prefix = namespace URI used in the XPath expressions",
}
_HTML_ATTR = re.compile(r"^(?P<sel>.*?)\s*@(?P<attr>[\w:.-]+)$")

Extractor = Callable[[Any], list[Any]]


@dataclass(frozen=True)
class Spec:
    kind: str
    items: Extractor
    fields: Mapping[str, Extractor]
    regex: Mapping[str, re.Pattern[str]]
    date_format: str | None
    base_url: str | None
    currency: str | None
    budget_kind: str | None


def _str(options: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    value = options.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{where}.{key}: required for the declarative format")
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}.{key}: must be a non-empty string")
    return value.strip()


def _json_path(expr: str, where: str) -> Extractor:
    from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
    from jsonpath_ng.ext.parser import parse as jp_parse

    try:
        compiled = jp_parse(expr)
    except (JsonPathLexerError, JsonPathParserError, Exception) as exc:  # noqa: BLE001 - its errors vary
        raise ConfigError(f"{where}: invalid JSONPath {expr!r}: {exc}") from None
    return lambda node: [m.value for m in compiled.find(node)]


def _xpath(expr: str, where: str, namespaces: Mapping[str, str]) -> Extractor:
    from lxml import etree

    try:
        compiled = etree.XPath(expr, namespaces=dict(namespaces))
    except etree.XPathError as exc:
        raise ConfigError(f"{where}: invalid XPath {expr!r}: {exc}") from None

    def run(node: Any) -> list[Any]:
        out = compiled(node)
        return list(out) if isinstance(out, list) else [out]

    return run


def _css(expr: str, where: str) -> Extractor:
    from cssselect import SelectorError
    from lxml.cssselect import CSSSelector

    m = _HTML_ATTR.match(expr)
    sel, attr = (m.group("sel"), m.group("attr")) if m else (expr, None)
    compiled = None
    if sel.strip():
        try:
            compiled = CSSSelector(sel)
        except SelectorError as exc:
            raise ConfigError(f"{where}: invalid CSS selector {sel!r}: {exc}") from None

    def run(node: Any) -> list[Any]:
        found = compiled(node) if compiled is not None else [node]
        return [el.get(attr) for el in found if el.get(attr) is not None] if attr else found

    return run


_CACHE: dict[str, Spec] = {}


def compile_spec(options: Mapping[str, Any], where: str = "options") -> Spec:
    """Validate and compile the options (cached: parsing a feed compiles nothing)."""
    key = where + json.dumps(options, sort_keys=True, default=repr)
    spec = _CACHE.get(key)
    if spec is None:
        spec = _compile(options, where)
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[key] = spec
    return spec


def _compile(options: Mapping[str, Any], where: str) -> Spec:
    unknown = sorted(set(options) - set(OPTIONS) - set(FETCH_OPTIONS))
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}: unknown option (known: {', '.join(sorted(OPTIONS))})")
    kind = _str(options, "kind", where, required=True)
    if kind not in KINDS:
        raise ConfigError(f"{where}.kind: must be one of {', '.join(KINDS)}, not {kind!r}")
    namespaces = options.get("namespaces") or {}
    if not isinstance(namespaces, Mapping):
        raise ConfigError(f"{where}.namespaces: must be a table of prefix = URI")

    def compile_one(expr: str, at: str) -> Extractor:
        if kind == "json":
            return _json_path(expr, at)
        if kind == "xml":
            return _xpath(expr, at, namespaces)
        return _css(expr, at)

    items_expr = _str(options, "items", where, required=True) or ""
    items = compile_one(items_expr, f"{where}.items")
    fields = options.get("fields")
    if not isinstance(fields, Mapping) or not fields:
        raise ConfigError(f"{where}.fields: required, a table of field = path")
    compiled: dict[str, Extractor] = {}
    for name, expr in fields.items():
        if name not in FIELDS:
            raise ConfigError(f"{where}.fields.{name}: unknown field (known: {', '.join(FIELDS)})")
        if not isinstance(expr, str) or not expr.strip():
            raise ConfigError(f"{where}.fields.{name}: must be a non-empty path string")
        compiled[name] = compile_one(expr.strip(), f"{where}.fields.{name}")
    if "title" not in compiled:
        raise ConfigError(f"{where}.fields.title: required")
    if "url" not in compiled and "id" not in compiled:
        raise ConfigError(f"{where}.fields.url: required (or fields.id)")
    regexes: dict[str, re.Pattern[str]] = {}
    raw_regex = options.get("regex") or {}
    if not isinstance(raw_regex, Mapping):
        raise ConfigError(f"{where}.regex: must be a table of field = pattern")
    for name, pattern in raw_regex.items():
        if name not in compiled:
            raise ConfigError(f"{where}.regex.{name}: no such field in fields")
        try:
            rx = re.compile(str(pattern))
        except re.error as exc:
            raise ConfigError(f"{where}.regex.{name}: invalid regular expression: {exc}") from None
        if rx.groups < 1:
            raise ConfigError(f"{where}.regex.{name}: needs one capturing group")
        regexes[name] = rx
    base_url = _str(options, "base_url", where)
    if base_url and not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}.base_url: must be an http(s) URL")
    budget_kind = _str(options, "budget_kind", where)
    if budget_kind and budget_kind not in ("fixed", "hourly", "salary_year", "salary_month"):
        raise ConfigError(f"{where}.budget_kind: must be fixed, hourly, salary_year or salary_month")
    return Spec(
        kind=kind,
        items=items,
        fields=compiled,
        regex=regexes,
        date_format=_str(options, "date_format", where),
        base_url=base_url,
        currency=_str(options, "currency", where),
        budget_kind=budget_kind,
    )
