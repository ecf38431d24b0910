"""Secrets never show, failure reasons stay one bounded line (R38).

``redact`` hides the password of every URL in a text (``scheme://user:secret@host`` becomes
``scheme://user:***@host``) and ``password=`` / ``sslpassword=`` parameters, whatever the scheme and
even when the URL is invalid. ``reason`` is what a stored or logged failure reason is made of: redacted,
on one line, at most ``REASON_MAX`` characters. ``error_text`` describes an exception for a reason: a
database error by the driver's message, never the SQL statement and its parameters.
"""

from __future__ import annotations

import re

REASON_MAX = 300
MASK = "***"

# "//user:" then everything up to the last "@" before the path or a blank: the password (an
# unencoded "@" in it included). Each scan stops at the next "/", so the search is linear.
_URL_PASSWORD = re.compile(r"(//[^/@\s:]*:)[^/\s]*@")
_PARAM_PASSWORD = re.compile(r"\b((?:ssl)?password=)[^&\s'\"]+", re.I)


def redact(text: str) -> str:
    """``text`` with the password of every URL (and every ``password=`` parameter) replaced by ***."""
    if "//" in text:
        text = _URL_PASSWORD.sub(rf"\g<1>{MASK}@", text)
    if "assword=" in text.lower():
        text = _PARAM_PASSWORD.sub(rf"\g<1>{MASK}", text)
    return text


def one_line(text: str, limit: int = REASON_MAX) -> str:
    """``text`` with every run of blanks and line breaks made one space, cut to ``limit`` characters."""
    flat = " ".join(text[: limit * 4].split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def reason(text: str | None, limit: int = REASON_MAX) -> str | None:
    """A failure reason fit to store or log: redacted, one line, bounded (None stays None)."""
    return None if text is None else one_line(redact(text), limit)


def error_text(exc: BaseException) -> str:
    """An exception's message; a database error as its driver's ``Type: first line``, without the statement."""
    orig = getattr(exc, "orig", None)
    if orig is not None and getattr(exc, "statement", None) is not None:
        first = (str(orig).strip().splitlines() or [""])[0]
        return f"{type(orig).__name__}: {first}"
    return str(exc)
