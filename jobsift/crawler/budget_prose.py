"""Budgets stated in a description's prose after a label ("Salary: $120,000 - $150,000 a year").

Labels are looked for only near the (few) digits of a text, so a long description with many
mentions of "rate" or "budget" and no figure costs one scan; at most ``MAX_LABELS`` labelled
figures are tried, and a fee, deposit or kit price is never read as the budget (``is_charge``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from jobsift.crawler.budget import detect_kind, parse_phrase
from jobsift.model import Budget, BudgetKind

log = logging.getLogger(__name__)
MAX_LABELS = 32  # labelled figures tried in one description (all fees past that: no budget)

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
        budget = parse_phrase(value, kind_hint, None, "parsed_from_text", context)
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
    kind = detect_kind(around)
    if kind is None and label.startswith(("budget", "price")):
        kind = "fixed"
    return replace(budget, kind=kind) if kind in ("hourly", "fixed") else budget
