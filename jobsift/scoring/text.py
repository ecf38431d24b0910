"""Text signals of postings that waste applicants' time, and the text the learned model reads.

Each signal is a named pattern family; a posting either shows it (1) or not (0). Patterns are
deliberately specific (e.g. "whatsapp", an email address, "registration fee") so that a match is
something a person can see in the posting and check.

Every pattern is compiled by RE2 (``linear.compile_linear``): time linear in the text's length,
and every signal reads at most ``linear.MAX_TEXT_CHARS`` characters (R32). RE2's ``\\w``, ``\\d``
and ``\\b`` are ASCII; letters of other scripts are spelled ``\\pL`` where they matter (email).
"""

from __future__ import annotations

from collections.abc import Mapping

import re2

from jobsift.scoring.linear import bounded, compile_linear

#: code → (pattern source, what a match means, in words); compiled case-insensitively by RE2.
PATTERNS: dict[str, tuple[str, str]] = {
    "off_platform_contact": (
        r"\b(whats\s?app|telegram|wechat|signal app|skype\s*(id|me)|text me|"
        r"contact me (at|on|via)|reach me (at|on)|dm me|kik)\b"
        r"|[\pL\pN_.+-]+@[\pL\pN_-]+\.[\pL\pN_.]{2,}"
        r"|(\+|\b)\d{1,3}[\s.-]?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{3,4}\b",
        "asks to move contact off the platform (messaging app, email or phone)",
    ),
    "unpaid_test": (
        r"\b(unpaid|free|no[- ]pay|without pay(ment)?)\s+(test|trial|sample|task|assignment)s?\b"
        r"|\b(test|trial)\s+(task|project|work)\s+(is\s+)?(unpaid|not paid|for free)\b"
        r"|\bcomplete (a|the) (test|task) (first|before)\b",
        "asks for unpaid test work",
    ),
    "free_work": (
        r"\bfree\s+(consultation|sample|samples|mock-?ups?|design|logo|article|demo work)\b"
        r"|\b(for|in) exchange for (exposure|a review|reviews|experience)\b"
        r"|\b(will|to) be paid (later|after (the )?(launch|funding|we get paid))\b"
        r"|\bequity only\b|\bno budget\b",
        "asks for free work or pays only later",
    ),
    "upfront_fee": (
        r"\b(registration|training|application|processing|starter|membership|onboarding)\s+"
        r"(fee|kit|cost|charge)s?\b"
        r"|\b(pay|buy|purchase)\s+(for\s+)?(the\s+|a\s+|your\s+)?"
        r"(training|equipment|software license|starter kit)\b"
        r"|\bsecurity deposit\b|\brefundable deposit\b",
        "asks the applicant to pay (a fee, kit or deposit)",
    ),
    "too_good": (
        r"\b(earn|make)\s+(up to\s+)?\$?\d[\d,]*\s*(\+\s*)?(per|a|/)\s*(day|week)\b"
        r"|\bno experience (needed|necessary|required)\b.*\$\d"
        r"|\b(easy|quick)\s+money\b|\bwork from home and earn\b",
        "promises easy or outsized pay",
    ),
}
SIGNALS: dict[str, tuple[re2._Regexp, str]] = {
    code: (compile_linear(f"text.{code}", source, ignore_case=True), words)
    for code, (source, words) in PATTERNS.items()
}

#: Cheap substring tests: a pattern only runs when one of its trigger strings is in the
#: lowercased text (regex alternations with \b are slow to try at every position).
TRIGGERS: dict[str, tuple[str, ...]] = {
    "off_platform_contact": (
        "whats",
        "telegram",
        "wechat",
        "signal app",
        "skype",
        "text me",
        "contact me",
        "reach me",
        "dm me",
        "kik",
        "@",
    ),
    "unpaid_test": ("unpaid", "free", "pay", "complete", "not paid"),
    "free_work": ("free", "exchange", "be paid", "equity", "no budget"),
    "upfront_fee": ("fee", "kit", "cost", "charge", "deposit", "training", "equipment", "license"),
    "too_good": ("earn", "make", "experience", "money"),
}

#: Six digits close together: the only texts worth trying the phone-number pattern on.
_PHONEISH = compile_linear("text.phoneish", r"\d{3}[\s.)-]{0,2}\d{3}")

VAGUE_SOURCE = (
    r"\b(details (in|on|via) (chat|dm|message|interview)|will (discuss|explain) (details|more) later|"
    r"more details (later|in chat)|need someone asap|simple task|easy job)\b"
)
VAGUE_PHRASES = compile_linear("text.vague_scope", VAGUE_SOURCE, ignore_case=True)
VAGUE_TRIGGERS = ("details", "discuss", "explain", "asap", "simple task", "easy job")
VAGUE_MAX_WORDS = 12


def word_count(text: str | None) -> int:
    return len((text or "").split())


def signals(title: str, description: str | None) -> dict[str, int]:
    """Each text signal as 0/1, plus ``vague_scope`` (very short text or stock vague phrases).

    Reads the first ``MAX_TEXT_CHARS`` characters of title + description; the word count of
    ``vague_scope`` only needs to know whether there are fewer than ``VAGUE_MAX_WORDS``.
    """
    text = bounded(f"{title}\n{description or ''}").lower()
    out = {
        code: int(any(t in text for t in TRIGGERS[code]) and bool(pattern.search(text)))
        for code, (pattern, _) in SIGNALS.items()
    }
    if not out["off_platform_contact"] and _PHONEISH.search(text):
        out["off_platform_contact"] = int(bool(SIGNALS["off_platform_contact"][0].search(text)))
    # Unknown description (a feed that only gives titles) is not vague: it is unknown.
    if description is None:
        out["vague_scope"] = 0
    else:
        vague = any(t in text for t in VAGUE_TRIGGERS) and bool(VAGUE_PHRASES.search(text))
        out["vague_scope"] = int(word_count(bounded(description)) < VAGUE_MAX_WORDS or vague)
    return out


def signal_text(code: str) -> str:
    if code == "vague_scope":
        return f"vague scope (under {VAGUE_MAX_WORDS} words of description or stock vague phrases)"
    return SIGNALS[code][1]


def posting_text(title: str, description: str | None) -> str:
    """The text the scam-language model reads for a feed posting (at most ``MAX_TEXT_CHARS``)."""
    return bounded(f"{title}\n{description or ''}")


EMSCAD_TEXT_FIELDS = ("title", "description", "requirements", "benefits")


def emscad_text(row: Mapping[str, str]) -> str:
    """An EMSCAD row's text in the same shape as a feed posting (title, then body)."""
    body = "\n".join(row.get(k) or "" for k in EMSCAD_TEXT_FIELDS[1:])
    return posting_text(row.get("title") or "", body)
