"""``scam``: the posting asks the applicant for money, documents or account details, or reads like a known scam.

Separate from ``ghost`` (a real client unlikely to hire). Evidence, each worth points:

- asks the applicant to pay (registration/training fee, starter kit, deposit): 2
- asks for ID documents (passport, driver's licence, social security number): 2
- asks for bank or crypto details, or pays in gift cards or crypto: 2
- a check or overpayment scheme (we mail you a check, send back the difference): 2
- off-platform contact (messaging app, email, phone): 1
- too-good pay ("earn $800/day", "easy money"): 1
- the EMSCAD-trained text model, when it finds the wording strongly fake-like (its signal x ≥ 2/3,
  i.e. at least 2 log-odds above its training share): 1

A posting with ``SCAM_AT`` (2) points or more is a scam: one request for money, documents or account
details is enough, soft cues need two. A scam's quality is at most ``QUALITY_CAP`` (10). The new
text patterns run on the text with its whitespace collapsed to single spaces, are literal
alternations joined by single spaces (no adjacent repeats that could split a run two ways), and are
tried only when a trigger string is present: linear in the text's length.
"""

from __future__ import annotations

import re

import re2

from jobsift.model import Reason
from jobsift.scoring import rules
from jobsift.scoring.flags import DANGER, F, Flag, ModelView, Outcome
from jobsift.scoring.linear import compile_linear

CODE = "scam"
SCAM_AT = 2
QUALITY_CAP = 10.0
LANGUAGE_AT = 2 / 3

#: name → (pattern, trigger strings, what a match means). Matched on the lowercased title + description.
PATTERNS: dict[str, tuple[re.Pattern[str], tuple[str, ...], str]] = {
    "id_documents": (
        re.compile(
            r"\b(send|upload|provide|submit|share|attach|email) (us |me )?(a |your )?((copy|photo|scan|picture) of )?"
            r"(your )?(id|ids|passport|driver'?s licen[cs]e|driving licen[cs]e|national id|id card|ssn)\b"
            r"|\bsocial security (number|card)\b"
        ),
        ("id", "passport", "licen", "ssn", "social security"),
        "asks for identity documents (ID, passport, licence, social security number)",
    ),
    "bank_or_crypto": (
        re.compile(
            r"\bbank(ing)? (details|login|info|information)\b|\byour bank(ing)? (account|card)\b"
            r"|\bbank account (details|number|info)\b|\brouting number\b"
            r"|\byour (bitcoin|btc|usdt|crypto|cryptocurrency) (wallet|address|account)\b|\byour wallet address\b"
            r"|\b(paid|pay you|payment) (in|with|via) (bitcoin|btc|usdt|crypto|gift cards?)\b"
            r"|\b(buy|purchase|send) (us |me )?(some )?gift cards?\b"
        ),
        ("bank", "routing", "bitcoin", "btc", "usdt", "crypto", "wallet", "gift card"),
        "asks for bank or crypto account details, or pays in crypto or gift cards",
    ),
    "check_scheme": (
        re.compile(
            r"\b(mail|send) you a (check|cheque)\b|\bdeposit (the|a|this|our) (check|cheque)\b"
            r"|\b(refund|return|send back) the overpayment\b|\boverpaid (you|check|cheque)\b"
            r"|\b(send|refund|wire|return) (back )?the (difference|excess)\b|\bwire (it |the money )?back\b"
            r"|\bmoney orders?\b|\bcashier'?s (check|cheque)\b"
        ),
        ("check", "cheque", "overpa", "difference", "excess", "back", "money order"),
        "a check or overpayment scheme (deposit our check, send back the difference)",
    ),
}

#: The evidence and its points; the first four are also read by the ghost model (shown once).
POINTS: dict[str, int] = {
    "upfront_fee": 2,
    "id_documents": 2,
    "bank_or_crypto": 2,
    "check_scheme": 2,
    "off_platform_contact": 1,
    "too_good": 1,
    "scam_language": 1,
}
SHORT: dict[str, str] = {
    "upfront_fee": "asks the applicant to pay",
    "id_documents": "asks for ID documents",
    "bank_or_crypto": "asks for bank or crypto details",
    "check_scheme": "check or overpayment scheme",
    "off_platform_contact": "off-platform contact",
    "too_good": "too-good pay",
    "scam_language": "wording like known fake postings",
}


#: Each pattern without its ``\b`` assertions, compiled by RE2: it matches wherever the pattern does
#: (and a little more), in a tenth of the time. Only a text it matches is searched with the pattern
#: itself, whose Unicode word boundaries decide (RE2's ``\b`` is ASCII-only).
PREFILTERS: dict[str, re2._Regexp] = {
    name: compile_linear(f"scam.{name}", pattern.pattern.replace(r"\b", ""))
    for name, (pattern, _, _) in PATTERNS.items()
}


def text_signals(title: str, description: str | None) -> dict[str, int]:
    """The scam-only text signals as 0/1 (stored as ``text_<name>`` features)."""
    text = " ".join(f"{title}\n{description or ''}".lower().split())  # one space between words: linear patterns
    return {
        f"text_{name}": int(
            any(t in text for t in triggers)
            and PREFILTERS[name].search(text) is not None
            and bool(pattern.search(text))
        )
        for name, (pattern, triggers, _) in PATTERNS.items()
    }


def _evidence(f: F) -> dict[str, float]:
    """Each piece of evidence present, as its signal value x."""
    out: dict[str, float] = {}
    for name in POINTS:
        if name == "scam_language":
            x = rules.GHOST_SIGNALS["scam_language"][0](f)
            if x is not None and x >= LANGUAGE_AT:
                out[name] = round(x, 4)
        elif f.get(f"text_{name}"):
            out[name] = 1.0
    return out


def _describe(name: str, f: F) -> str:
    if name in PATTERNS:
        return PATTERNS[name][2]
    return rules.describe(name, f)


def rule(f: F, _model: ModelView) -> Outcome:
    found = _evidence(f)
    points = sum(POINTS[n] for n in found)
    flagged = points >= SCAM_AT
    reasons = [
        Reason(f"scam.{name}", _describe(name, f), x, POINTS[name], None, CODE if flagged else None)
        for name, x in found.items()
    ]
    if not flagged:
        return Outcome(False, reasons)
    head = Reason(CODE, "looks like a scam: " + ", ".join(SHORT[n] for n in found), points, SCAM_AT, None, CODE)
    cap = (QUALITY_CAP, f"capped at {QUALITY_CAP:g}: looks like a scam")
    return Outcome(True, [head, *reasons], cap=cap)


FLAG = Flag(
    code=CODE,
    label="likely scam",
    severity=DANGER,
    colour="#7f0a1f",
    background="#ffd9df",
    order=5,
    rule=rule,
    when=f"{SCAM_AT}+ points of scam evidence: asks the applicant to pay, for ID documents, for bank or crypto "
    "details, or a check/overpayment scheme (2 each); off-platform contact, too-good pay, or the text model "
    "finding the wording strongly fake-like (1 each); quality at most 10",
    example="`looks like a scam: asks the applicant to pay, off-platform contact`, followed by one reason per "
    "piece of evidence",
    text_signals=text_signals,
)
