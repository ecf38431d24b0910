"""Budgets from text (``$5k``, ``5.000 €``, ``₹500/hr``, ``$120,000 - $150,000 a year``) or fields.

``parse_budget`` never raises (R17): odd input gives a budget with no amounts, the raw text kept.
Amounts need a currency marker (symbol or code) unless the text is little more than a number,
so prose such as "3 years of experience" is not read as a budget. Zero means "not stated".
"""

from __future__ import annotations

import html
import logging
import math
import re
from dataclasses import replace
from typing import Any

from jobsift.crawler.charges import is_charge
from jobsift.crawler.currency import known_currencies, normalize_code, to_usd
from jobsift.model import Budget, BudgetKind, Provenance

log = logging.getLogger(__name__)

MAX_TEXT = 2_000  # a budget is a short phrase; longer input is cut before matching

# Prefix symbols, longest first so "A$" wins over "$".
_PREFIX_SYMBOLS: tuple[tuple[str, str], ...] = (
    ("US$", "USD"),
    ("AU$", "AUD"),
    ("CA$", "CAD"),
    ("NZ$", "NZD"),
    ("HK$", "HKD"),
    ("MX$", "MXN"),
    ("A$", "AUD"),
    ("C$", "CAD"),
    ("S$", "SGD"),
    ("R$", "BRL"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("₹", "INR"),
    ("¥", "JPY"),
    ("₩", "KRW"),
    ("₽", "RUB"),
    ("₱", "PHP"),
    ("₦", "NGN"),
    ("₺", "TRY"),
    ("₪", "ILS"),
    ("₫", "VND"),
    ("zł", "PLN"),
    ("Rs.", "INR"),
    ("Rs", "INR"),
)
_WORDS = {
    "dollar": "USD",
    "dollars": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "eur": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "rupee": "INR",
    "rupees": "INR",
    "usd": "USD",
    "gbp": "GBP",
    "inr": "INR",
}
_SYMBOL_CODES = dict(_PREFIX_SYMBOLS)
_SYM_RE = "|".join(re.escape(s) for s, _ in _PREFIX_SYMBOLS)
_NUM = r"\d{1,3}(?:[,.\u00a0\u202f' ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
# One amount: optional currency before, the number, an optional k/m multiplier, optional currency after.
_AMOUNT = re.compile(
    rf"(?P<pre>{_SYM_RE}|\b[A-Za-z]{{3}}\b)?\s?(?P<num>{_NUM})(?P<mult>\s?[kK]\b|[mM](?![a-zA-Z]))?"
    rf"(?:\s?(?P<post>{_SYM_RE}|\b[A-Za-z]{{3}}\b))?"
)
_CONNECTOR = re.compile(r"^\s*(?:-|–|—|~|to|and|bis|a|à)\s*$|^\s*-?\s*$", re.I)
_HOURLY = re.compile(r"(?:/|\bper\b|\ban?\b|\bp)\s*(?:hr|hour|h)s?\b|\bhourly\b|/\s*h\b|\bph\b", re.I)
_YEAR = re.compile(
    r"(?:/|\bper\b|\ban?\b)\s*(?:year|yr|annum|y)\b|\bannual(?:ly)?\b|\byearly\b|\bp\.?a\.?(?:\s|$)|\bsalary\b"
    r"|\b(?:ote|base)\b|\bk\s*/\s*y",
    re.I,
)
_MONTH = re.compile(r"(?:/|\bper\b|\ban?\b)\s*(?:month|mo|mth|mon)\b|\bmonthly\b", re.I)
_FIXED = re.compile(r"\bfixed\b|\bone[- ]time\b|\bper project\b|\bflat\b", re.I)
_TAIL = rf"[\s:.]*(?:{_SYM_RE}|[A-Za-z]{{3}})?\s*$"
_UP_TO = re.compile(rf"\b(?:up to|upto|max(?:imum)?|under|below|less than){_TAIL}", re.I)
_FROM = re.compile(rf"\b(?:from|min(?:imum)?|at least|starting at|over){_TAIL}", re.I)
_LETTERS = re.compile(r"[^\W\d_]+")
_UNIT_WORDS = frozenset(
    (  # noqa: SIM905 (a word list reads better as one string)
        "k m per a an hr hrs hour hours h hourly year yr years annum annual yearly month mo months monthly"
        " fixed budget price rate salary usd eur gbp inr to and up from est estimated p pa ph approx ote base"
        " range between or rs zł"
    ).split()
)


def _currency_of(token: str | None) -> str | None:
    if not token:
        return None
    symbol_code = _SYMBOL_CODES.get(token)
    if symbol_code is not None:
        return symbol_code
    code = normalize_code(token)
    if code and token.isupper() and code in known_currencies():
        return code
    return _WORDS.get(token.lower()) if token.lower() in ("usd", "eur", "gbp", "inr") else None


def _number(text: str, mult: str | None) -> float | None:
    """``5.000`` → 5000, ``1,234.50`` → 1234.5, ``31,2`` (with k) → 31.2, ``15.00`` → 15."""
    s = text.replace("\u00a0", "").replace("\u202f", "").replace("'", "").replace(" ", "")
    dot, comma = s.rfind("."), s.rfind(",")
    if dot >= 0 and comma >= 0:
        dec = "." if dot > comma else ","
        s = s.replace("," if dec == "." else ".", "").replace(dec, ".")
    elif dot >= 0 or comma >= 0:
        sep = "." if dot >= 0 else ","
        head, _, tail = s.rpartition(sep)
        thousands = s.count(sep) > 1 or (len(tail) == 3 and not mult)
        s = s.replace(sep, "") if thousands else head.replace(sep, "") + "." + tail
    try:
        value = float(s)
    except ValueError:
        return None
    if mult:
        value *= 1_000 if mult.strip().lower() == "k" else 1_000_000
    return value if math.isfinite(value) else None


def parse_amount(text: Any) -> float | None:
    """One figure from text such as ``$3K+``, ``1.234,5`` or ``807509.95``; 0 stays 0. Never raises."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text) if math.isfinite(text) else None
    if not isinstance(text, str):
        return None
    m = _AMOUNT.search(text[:MAX_TEXT])
    return _number(m.group("num"), m.group("mult")) if m else None


def detect_kind(text: str) -> BudgetKind | None:
    # Each pattern needs certain letters (every hourly form has an "h", every monthly one an "m",
    # ...); a substring test on the lowered text is far cheaper than a case-insensitive scan.
    # None of these letters has a special case-folding twin (as "ı" has for "i").
    low = text.lower()
    if "h" in low and _HOURLY.search(text):
        return "hourly"
    if "m" in low and _MONTH.search(text):
        return "salary_month"
    if ("a" in low or "y" in low or "ote" in low) and _YEAR.search(text):
        return "salary_year"
    if ("xed" in low or "one" in low or "project" in low or "flat" in low) and _FIXED.search(text):
        return "fixed"
    return None


def _word_currency(text: str) -> str | None:
    for word in _LETTERS.findall(text):
        code = _WORDS.get(word.lower())
        if code:
            return code
    return None


def _amounts(text: str) -> tuple[list[tuple[float, str | None, re.Match[str]]], bool]:
    """Every amount in ``text`` with its currency; and whether any had a currency marker."""
    found: list[tuple[float, str | None, re.Match[str]]] = []
    marked = False
    for m in _AMOUNT.finditer(text):
        cur = _currency_of(m.group("pre")) or _currency_of(m.group("post"))
        value = _number(m.group("num"), m.group("mult"))
        if value is None:
            continue
        marked = marked or cur is not None or bool(m.group("mult"))
        found.append((value, cur, m))
    return found, marked


def _plain_enough(text: str) -> bool:
    """Text that is just figures and unit words ("500", "15-35 per hour"): no currency needed."""
    words = [w.lower() for w in _LETTERS.findall(text)]
    return all(w in _UNIT_WORDS for w in words)


def parse_budget(
    text: Any,
    *,
    kind_hint: BudgetKind | None = None,
    currency_hint: str | None = None,
    provenance: Provenance = "parsed_from_text",
) -> Budget | None:
    """A Budget from free text, or None for empty input. Never raises; ``raw`` is the input."""
    if text is None:
        return None
    try:
        raw = str(text)
    except Exception:  # noqa: BLE001 - a __str__ that raises is still not our caller's problem
        return None
    if not raw.strip():
        return None
    try:
        return parse_phrase(raw, kind_hint, currency_hint, provenance)
    except Exception:
        log.debug("budget %r not understood", raw[:80], exc_info=True)
        return Budget(kind=kind_hint, raw=raw, provenance="none")


def parse_phrase(
    raw: str, kind_hint: BudgetKind | None, currency_hint: str | None, provenance: Provenance, context: str = ""
) -> Budget:
    """One budget phrase; ``context`` is the text just before ``raw`` in a description (the label and
    its phrase)."""
    text = html.unescape(raw[:MAX_TEXT]).replace("\u2009", " ")
    kind = detect_kind(text) or kind_hint
    found, marked = _amounts(text)
    if not found or not (marked or _plain_enough(text)):
        return Budget(kind=kind, raw=raw, provenance="none")
    if marked:  # start at the first amount that carries a currency or a multiplier
        first = next(i for i, (_, cur, m) in enumerate(found) if cur or m.group("mult"))
    else:
        first = 0
    lo, cur, m = found[first]
    if is_charge(context + text[: m.start()], text[m.end("num") :]):
        return Budget(kind=kind, raw=raw, provenance="none")
    hi = lo
    if first + 1 < len(found):
        nxt_value, nxt_cur, nxt = found[first + 1]
        if _CONNECTOR.match(text[m.end() : nxt.start()]):
            hi = nxt_value
            cur = cur or nxt_cur
            # "$50-70k": the multiplier written once applies to both ends.
            if nxt.group("mult") and not m.group("mult") and lo < 1000 <= hi and lo * 1000 <= hi * 1.5:
                lo *= 1000 if nxt.group("mult").strip().lower() == "k" else 1_000_000
    before = text[: m.start("num")]
    lo_out: float | None = lo
    hi_out: float | None = hi
    if hi == lo and _UP_TO.search(before):
        lo_out = None
    elif hi == lo and (_FROM.search(before) or text[m.end() :].lstrip().startswith("+")):
        hi_out = None
    currency = cur or _word_currency(text) or normalize_code(currency_hint)
    return make_budget(lo_out, hi_out, currency, kind, provenance=provenance, raw=raw) or Budget(
        kind=kind, currency=currency, raw=raw, provenance="none"
    )


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        out = float(value)
    else:
        text = str(value).strip().replace(",", "")
        try:
            out = float(text)
        except ValueError:
            return None
    return out if math.isfinite(out) and out > 0 else None


def make_budget(
    low: Any,
    high: Any,
    currency: str | None,
    kind: BudgetKind | None,
    *,
    provenance: Provenance = "field",
    raw: str | None = None,
) -> Budget | None:
    """A Budget from structured numbers (0, negative or missing = not stated), with USD amounts."""
    lo, hi = _num(low), _num(high)
    if lo is None and hi is None:
        return None
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    code = normalize_code(currency)
    return Budget(
        kind=kind,
        min=lo,
        max=hi,
        currency=code,
        min_usd=to_usd(lo, code),
        max_usd=to_usd(hi, code),
        provenance=provenance,
        raw=raw,
    )


def infer_salary_kind(budget: Budget | None) -> Budget | None:
    """On job boards an unlabelled figure of 10,000 or more is a yearly salary."""
    if budget is None or budget.kind is not None:
        return budget
    top = budget.max if budget.max is not None else budget.min
    if top is not None and top >= 10_000:
        return replace(budget, kind="salary_year")
    return budget
