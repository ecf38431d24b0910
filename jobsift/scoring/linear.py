"""Linear-time pattern matching for fetched text, and the cap on the text a signal reads.

Every regular expression that scoring runs on a posting's text is compiled here, by RE2
(``google-re2``): RE2 has no backtracking, so a search costs time proportional to the text's
length whatever the pattern and the text (a run of 100,000 digits included). Python's ``re``
backtracks: ``[\\w.+-]+@`` alone is quadratic on a long run of word characters. RE2 has no
lookaround and no backreferences; a pattern that needs them cannot be registered here.

``bounded`` cuts a text to ``MAX_TEXT_CHARS`` before any signal reads it, so even linear work
per posting has a ceiling (a 20 MB description costs what 100,000 characters cost).
"""

from __future__ import annotations

import re2

#: The most characters of title + description any text signal reads (the head of the text).
MAX_TEXT_CHARS = 100_000


#: Every pattern compiled here, by name, so a test can check each one runs on the linear engine.
REGISTRY: dict[str, re2._Regexp] = {}


def compile_linear(name: str, pattern: str, *, ignore_case: bool = False) -> re2._Regexp:
    """``pattern`` compiled by RE2 (raises ``re2.error`` for lookaround or backreferences)."""
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False
    compiled = re2.compile(pattern, options)
    REGISTRY[name] = compiled
    return compiled


def bounded(text: str) -> str:
    """``text`` cut to at most ``MAX_TEXT_CHARS`` characters (the head, where postings say things)."""
    return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS]
