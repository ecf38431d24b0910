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

from jobsift.crawler.currency import known_currencies, normalize_code, to_usd
from jobsift.model import Budget, BudgetKind, Provenance

log = logging.getLogger(__name__)

MAX_TEXT = 2_000  # a budget is a short phrase; longer input is cut before matching
MAX_LABELS = 32  # labelled figures tried in one description (all fees past that: no budget)

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
# An amount the reader pays or a pitch, not what the job pays: "a $50 registration fee",
# "deposit $20", "earn $300 per day". Only the words of the same phrase, next to the amount, count.
_CHARGE_WORDS = frozenset(("fee", "fees", "deposit", "deposits", "kit", "kits", "registration", "training"))
_PHRASE_END = re.compile(r"[,;:()\[\]!?\n]|\.\s")
_PER_DAY = re.compile(r"(?:\bper|\ba|/)\s?day\b|\bdaily\b", re.I)
_NEAR_WORDS = 3  # words either side of the amount looked at
_UNIT_WORDS = frozenset(
    (
        "k",
        "m",
        "per",
        "a",
        "an",
        "hr",
        "hrs",
        "hour",
        "hours",
        "h",
        "hourly",
        "year",
        "yr",
        "years",
        "annum",
        "annual",
        "yearly",
        "month",
        "mo",
        "months",
        "monthly",
        "fixed",
        "budget",
        "price",
        "rate",
        "salary",
        "usd",
        "eur",
        "gbp",
        "inr",
        "to",
        "and",
        "up",
        "from",
        "est",
        "estimated",
        "p",
        "pa",
        "ph",
        "approx",
        "ote",
        "base",
        "range",
        "between",
        "or",
        "rs",
        "zł",
    )
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


def _detect_kind(text: str) -> BudgetKind | None:
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


def _phrase_after(after: str) -> str:
    """``after`` up to the end of its phrase (punctuation), at most 60 characters."""
    after = after[:60]
    end = _PHRASE_END.search(after)
    return after[: end.start()] if end else after


def _phrase_before(before: str) -> str:
    """``before`` back to the start of its phrase, at most 60 characters."""
    before = before[-60:]
    ends = [m.end() for m in _PHRASE_END.finditer(before)]
    return before[ends[-1] :] if ends else before


def is_charge(before: str, after: str) -> bool:
    """Whether an amount between ``before`` and ``after`` is a fee, deposit, kit or pay-to-work
    pitch ("Pay a $50 registration fee", "earn $300 per day") rather than a budget."""
    head, tail = _phrase_before(before), _phrase_after(after)
    near = [w.lower() for w in _LETTERS.findall(head)[-_NEAR_WORDS:]]
    near += [w.lower() for w in _LETTERS.findall(tail)[:_NEAR_WORDS]]
    if any(w in _CHARGE_WORDS for w in near):
        return True
    return "earn" in {w.lower() for w in _LETTERS.findall(head)} and bool(_PER_DAY.search(tail))


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
        return _parse(raw, kind_hint, currency_hint, provenance)
    except Exception:
        log.debug("budget %r not understood", raw[:80], exc_info=True)
        return Budget(kind=kind_hint, raw=raw, provenance="none")


def _parse(
    raw: str, kind_hint: BudgetKind | None, currency_hint: str | None, provenance: Provenance, context: str = ""
) -> Budget:
    """``context`` is the text just before ``raw`` in a description (the label and its phrase)."""
    text = html.unescape(raw[:MAX_TEXT]).replace("\u2009", " ")
    kind = _detect_kind(text) or kind_hint
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


_MONEYISH = re.compile(r"\d")
_LABEL_WORDS = ("budget", "salary", "pay", "rate", "compensation", "price")
_LABELLED = re.compile(
    r"(?:budget|salary|pay|rate|compensation|price)\b[^\n<;.\d$€£₹]{0,24}?"
    r"(?P<value>(?-i:[A-Z]{3}\s?)?[$€£₹]?\s?\d[^\n<;]{0,60})",
    re.I,
)


def _ascii_digits(text: str, limit: int = 64) -> list[int] | None:
    """Sorted positions of the digits in ASCII text with few of them; None otherwise (the caller
    then asks the regex, which also knows non-ASCII digits)."""
    if not text.isascii():
        return None
    found: list[int] = []
    for digit in "0123456789":
        i = text.find(digit)
        while i >= 0:
            found.append(i)
            if len(found) > limit:
                return None
            i = text.find(digit, i + 1)
    found.sort()
    return found


def _label_starts(low: str, lo: int, hi: int) -> list[int]:
    """Where a label word starts, at a word boundary, between ``lo`` and ``hi`` (inclusive)."""
    starts: list[int] = []
    for word in _LABEL_WORDS:  # str.find is far cheaper than a case-insensitive regex scan
        i = low.find(word, lo, hi + len(word))
        while i >= 0:
            if i == 0 or not low[i - 1].isalnum():
                starts.append(i)
            i = low.find(word, i + 1, hi + len(word))
    return starts


def _near_figures(low: str, digits: list[int]) -> list[int]:
    """Label starts with a digit less than 48 characters on: only around the (few) digits."""
    starts: list[int] = []
    if not digits:
        return starts
    lo, hi = max(0, digits[0] - 47), digits[0]
    for d in digits[1:]:
        if d - 47 > hi + 1:  # a new window; flush the previous one
            starts += _label_starts(low, lo, hi)
            lo = d - 47
        hi = d
    starts += _label_starts(low, lo, hi)
    return starts


def budget_from_prose(text: str | None, *, kind_hint: BudgetKind | None = None) -> Budget | None:
    """A budget stated in a description after a label ("Salary: $120,000 - $150,000 a year")."""
    if not text:
        return None
    text = text[:20_000]
    low = text.lower()
    digits = _ascii_digits(text)
    if digits is not None:
        # Most mentions of "rate" or "budget" carry no figure: look for labels only near digits.
        starts = _near_figures(low, digits)
    else:
        starts = [i for i in _label_starts(low, 0, len(low)) if _MONEYISH.search(text, i, i + 48)]
    for i in sorted(starts)[:MAX_LABELS]:
        budget = budget_at_label(text, i, kind_hint)
        if budget is not None:
            return budget
    return None


def budget_at_label(text: str, i: int, kind_hint: BudgetKind | None = None) -> Budget | None:
    """The budget after the label word starting at ``text[i]``, or None (no figure, or a fee)."""
    m = _LABELLED.match(text, i)
    if m is None:
        return None
    value = m.group("value").split(". ")[0].strip(" .")
    context = text[max(0, i - 60) : m.start("value")]
    try:
        budget = _parse(value, kind_hint, None, "parsed_from_text", context)
    except Exception:  # as parse_budget: odd text is not a budget, never an error
        log.debug("budget %r not understood", value[:80], exc_info=True)
        return None
    if not budget.is_known:
        return None
    return _kind_from_words(budget, text[max(0, i - 24) : m.end("value")], text[i : m.start("value")].lower())


def _kind_from_words(budget: Budget, around: str, label: str) -> Budget:
    """A budget the value alone does not qualify gets its kind from the words around it, as the
    Upwork parser reads its ``Budget``/``Hourly Range`` labels: "per hour", "/h", "/hr", "hourly"
    make it hourly; "fixed" or the label "budget" (or "price") make it fixed."""
    if budget.kind is not None:
        return budget
    kind = _detect_kind(around)
    if kind is None and label.startswith(("budget", "price")):
        kind = "fixed"
    return replace(budget, kind=kind) if kind in ("hourly", "fixed") else budget


def infer_salary_kind(budget: Budget | None) -> Budget | None:
    """On job boards an unlabelled figure of 10,000 or more is a yearly salary."""
    if budget is None or budget.kind is not None:
        return budget
    top = budget.max if budget.max is not None else budget.min
    if top is not None and top >= 10_000:
        return replace(budget, kind="salary_year")
    return budget
