"""Amounts that are not what a job pays: a fee, deposit or kit the reader is asked to pay, or a
pay-to-work pitch ("Pay a $50 registration fee", "deposit $20", "earn $300 per day")."""

from __future__ import annotations

import re

_LETTERS = re.compile(r"[^\W\d_]+")
# Only the words of the same phrase, next to the amount, count.
_CHARGE_WORDS = frozenset(("fee", "fees", "deposit", "deposits", "kit", "kits", "registration", "training"))
_PHRASE_END = re.compile(r"[,;:()\[\]!?\n]|\.\s")
_PER_DAY = re.compile(r"(?:\bper|\ba|/)\s?day\b|\bdaily\b", re.I)
_STEMS = ("fee", "deposit", "kit", "registration", "training", "earn")  # every _CHARGE_WORDS word and "earn"
_NEAR_WORDS = 3  # words either side of the amount looked at


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
    # Every charge word holds one of these (lower-cased per character, so also in the whole phrase's
    # lower case): most amounts have none near them and need no word split.
    low = f"{head}\n{tail}".lower()
    if not any(stem in low for stem in _STEMS):
        return False
    near = [w.lower() for w in _LETTERS.findall(head)[-_NEAR_WORDS:]]
    near += [w.lower() for w in _LETTERS.findall(tail)[:_NEAR_WORDS]]
    if any(w in _CHARGE_WORDS for w in near):
        return True
    return "earn" in {w.lower() for w in _LETTERS.findall(head)} and bool(_PER_DAY.search(tail))
