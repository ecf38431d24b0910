"""Helpers the JSON formats share: decoding (BOM, UTF-16, charset), safe lookups, coercions."""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jobsift.crawler import markup
from jobsift.crawler.normalize import clean_text
from jobsift.errors import ParseError
from jobsift.model import ParseResult

try:
    import orjson

    _loads: Any = orjson.loads
    _JSONError: tuple[type[Exception], ...] = (orjson.JSONDecodeError, ValueError)
except ImportError:  # pragma: no cover - orjson is a dependency; json is the slow fallback
    _loads = json.loads
    _JSONError = (ValueError,)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.I)


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header value, whatever the case of its name."""
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def declared_charset(headers: Mapping[str, str]) -> str | None:
    ctype = header(headers, "content-type") or ""
    m = _CHARSET.search(ctype)
    if not m:
        return None
    try:
        return codecs.lookup(m.group(1)).name
    except LookupError:
        return None


def decode_text(body: bytes, headers: Mapping[str, str]) -> str:
    """Bytes to text: a BOM wins, then UTF-16 without BOM, then UTF-8, then the declared charset."""
    for bom, enc in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(enc, errors="replace")
    if len(body) >= 2 and body[0] == 0 and body[1] != 0:
        return body.decode("utf-16-be", errors="replace")
    if len(body) >= 2 and body[0] != 0 and body[1] == 0:
        return body.decode("utf-16-le", errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        charset = declared_charset(headers)
        # A body that is not UTF-8 was probably written in the declared or the commonest legacy charset.
        return body.decode(charset if charset and charset != "utf-8" else "cp1252", errors="replace")


def load_json(body: bytes, headers: Mapping[str, str]) -> Any:
    """Parsed JSON, or None for an empty body; ``ParseError`` when it is not JSON."""
    if not body.strip():
        return None
    try:
        if body[:1] in (b"{", b"[") or body[:1].isspace():
            return _loads(body)  # the fast path: plain UTF-8 bytes
    except _JSONError:
        pass
    text = decode_text(body, headers).strip().lstrip("\ufeff")
    if not text:
        return None
    try:
        return _loads(text)
    except _JSONError as exc:
        try:
            return _loads_lenient(text)
        except ValueError:
            raise ParseError(f"not valid JSON: {exc}", reason="malformed") from None


#: Integers longer than this are not a count, an id or an amount anyone means (Python's own limit
#: for reading one is 4,300 digits): they are read as unknown.
MAX_INT_DIGITS = 30


def _int_or_none(text: str) -> int | None:
    return int(text) if len(text.lstrip("-")) <= MAX_INT_DIGITS else None


def _float_or_none(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def _loads_lenient(text: str) -> Any:
    """JSON whose numbers orjson refuses (5,000 digits, 1e999, NaN): each such number is None
    (unknown), so one unreadable value costs that field, not the document (R35).

    orjson also refuses a lone surrogate escape (``"\\ud83d"``, half an emoji cut by a UTF-16
    slice); the standard library reads it into a str no UTF-8 encoder (nh3, the database) accepts,
    so each one becomes U+FFFD here."""
    doc = json.loads(text, parse_int=_int_or_none, parse_float=_float_or_none, parse_constant=lambda _c: None)
    return _without_lone_surrogates(doc) if "\\u" in text else doc


_SURROGATE = re.compile("[\ud800-\udfff]")  # json.loads joins valid pairs: what is left is lone


def _without_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if not value.isascii() else value
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    return value


def dig(obj: Any, *path: str | int) -> Any:
    """``obj[p0][p1]...`` or None as soon as a step is missing or of the wrong type."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(obj, list) or not -len(obj) <= step < len(obj):
                return None
            obj = obj[step]
        elif isinstance(obj, Mapping):
            obj = obj.get(step)
        else:
            return None
        if obj is None:
            return None
    return obj


def first(obj: Any, *paths: tuple[str | int, ...] | str) -> Any:
    """The first non-empty value among several paths."""
    for path in paths:
        value = dig(obj, *((path,) if isinstance(path, str) else path))
        if value not in (None, "", [], {}):
            return value
    return None


def as_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(float(str(value).replace(",", "").strip()))
    except (TypeError, ValueError, OverflowError):
        return None


def as_float(value: Any) -> float | None:
    if isinstance(value, Mapping):  # {"amount": "12.5", "isoCurrencyCode": ...}
        value = value.get("amount", value.get("rawValue"))
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        return None
    return out if out == out and abs(out) != float("inf") else None


def as_bool(value: Any) -> bool | None:
    """True/False for clear yes/no values; None for anything else (unknown is not False)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value) if value in (0, 1) else None
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "yes", "1", "y", "verified"):
            return True
        if text in ("false", "no", "0", "n", "unverified", "not_verified"):
            return False
        if text.endswith(("unverified", "not verified")):  # "payment unverified"
            return False
        if text.endswith("verified"):
            return True
    return None


def as_text(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value if v not in (None, ""))
    return clean_text(unescape(value)) if value is not None else None


def unescape(value: Any) -> Any:
    """HTML entities in a plain-text JSON field ("HR &amp; Recruiting")."""
    if isinstance(value, str) and "&" in value:
        import html

        return html.unescape(value)
    return value


def describe(fragment: Any) -> tuple[str | None, str | None]:
    """An HTML description as (plain text, sanitised HTML)."""
    if not isinstance(fragment, str) or not fragment.strip():
        return None, None
    return markup.describe(fragment)


def items_of(doc: Any, *keys: str) -> list[Any] | None:
    """The item list: the document itself if a list, else the first list under one of ``keys``."""
    if isinstance(doc, list):
        return doc
    if isinstance(doc, Mapping):
        for key in keys:
            value = dig(doc, *key.split("."))
            if isinstance(value, list):
                return value
    return None


def job_list(
    body: bytes,
    headers: Mapping[str, str],
    keys: tuple[str, ...],
    expected: str,
    keep: Callable[[Any], bool] = lambda x: isinstance(x, Mapping),
) -> tuple[Any, list[Any]] | None:
    """The document and its job objects (those ``keep`` accepts); None for an empty body.

    A document with no job list under ``keys`` is a ``ParseError`` saying what was ``expected``.
    """
    doc = load_json(body, headers)
    if doc is None:
        return None
    items = items_of(doc, *keys)
    if items is None:
        raise ParseError(expected, reason="malformed")
    return doc, [x for x in items if keep(x)]


def empty(note: str) -> ParseResult:
    """A result with no items (the run marks it partial and never marks postings gone)."""
    return ParseResult(warnings=[note])


def strings(values: Iterable[Any]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        text = as_text(v.get("name") or v.get("prefLabel") if isinstance(v, Mapping) else v)
        if text and text not in out:
            out.append(text)
    return tuple(out)
