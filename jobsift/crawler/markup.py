"""HTML descriptions as sanitised HTML (for display) and plain text (for search and scoring).

Sanitising is nh3 (ammonia, an HTML5 parser). Most feed descriptions are already clean:
attribute-free ``<p>``, ``<ul><li>``, ``<b>`` in valid nesting. For those the sanitiser would
return its input unchanged, so a cheap check proves that and skips it (``_already_clean``); it
accepts only what HTML5 tree building leaves untouched, and anything else goes to nh3. A test
compares both paths on thousands of generated fragments.
"""

from __future__ import annotations

import html
import re

import nh3

from jobsift.crawler.textfix import (
    CTRL_BYTES,
    fix_mojibake,
    may_hold_mojibake_utf8,
    squash_blanks_utf8,
    strip_controls,
)

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "ul",
        "ol",
        "li",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "a",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "code",
        "pre",
        "hr",
        "span",
        "div",
        "table",
        "thead",
        "tbody",
        "tr",
        "td",
        "th",
    }
)
_ATTRIBUTES = {"a": {"href", "title"}}
_URL_SCHEMES = {"http", "https", "mailto"}
_LINK_REL = "nofollow noopener noreferrer"
# One Cleaner, built once: nh3.clean() rebuilds its configuration from these sets on every call.
_CLEANER = (
    nh3.Cleaner(tags=set(ALLOWED_TAGS), attributes=_ATTRIBUTES, url_schemes=_URL_SCHEMES, link_rel=_LINK_REL)
    if hasattr(nh3, "Cleaner")
    else None
)

# --- the already-clean check ----------------------------------------------------------------
# Elements whose content may only be phrasing; a block start tag inside them makes the HTML5
# parser close or restructure them, so such input goes to nh3.
_PHRASING = frozenset({"b", "strong", "i", "em", "u", "span", "code", "br"})
_FLOW = _PHRASING | {"p", "div", "blockquote", "ul", "ol", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}
# parent ("" = top level) -> children it may hold untouched. <li> only directly in a list, where
# its start tag cannot close an outer item; lists hold only items.
_CHILDREN: dict[str, frozenset[str]] = {
    "": _FLOW,
    "div": _FLOW,
    "blockquote": _FLOW,
    "li": _FLOW,
    "ul": frozenset({"li"}),
    "ol": frozenset({"li"}),
    **{tag: _PHRASING for tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", *_PHRASING)},
}
_VOID = frozenset({"br", "hr"})
# A bare tag (``<p>``, ``</li>``, ``<br />``). Anything else with an angle bracket (attributes,
# comments, upper case, a stray "<" or ">" in text) leaves brackets that no tag accounts for.
# The pattern starts with a literal so the regex engine can skip to each "<" quickly.
_TOKEN = re.compile(r"<(/?)([a-z][a-z0-9]*)( ?/)?>")
# A "<" where no _TOKEN starts. Linear: the lookahead reads one tag name, which holds no "<".
_NOT_A_TOKEN = re.compile(r"<(?!/?[a-z][a-z0-9]*(?: ?/)?>)")
# Entities that decode and re-serialise to themselves; any other "&" is rewritten by nh3.
_UNSTABLE_AMP = re.compile(r"&(?!(?:amp|lt|gt|nbsp);)")
_VOID_SLASHED = (("<br/>", "<br>"), ("<br />", "<br>"), ("<hr/>", "<hr>"), ("<hr />", "<hr>"))


def looks_like_html(text: str | None) -> bool:
    """Whether a description holds something tag-shaped: a "<", at least one character, then a ">".

    (What it has always answered: a stricter start-or-end-tag pattern once defined here was
    shadowed by the tag-stripping pattern of the same name, so "a <b and c> d" counts too.)
    """
    if not text:
        return False
    end = text.rfind(">") + 1  # linear: every "<" before the last ">" either matches or fails at once
    return end > 1 and _ANY_TAG_STR.search(text, 0, end) is not None


def _already_clean(fragment: str, tokens: list[tuple[str, str, str]] | None = None) -> str | None:
    """``fragment`` as nh3 would serialise it, when that is provably a no-op; else None.

    ``tokens``: ``_TOKEN.findall(fragment)`` when the caller already has it.
    """
    if "&" in fragment and _UNSTABLE_AMP.search(fragment):
        return None
    opens = fragment.count("<")
    if opens != fragment.count(">"):  # a stray bracket: no need to find the tokens to know
        return None
    if tokens is None:
        # On a str with any non-Latin-1 character findall is slow; the first "<" that starts no
        # bare tag (an attribute, usually near the top) answers sooner. Every "<" starts a token
        # exactly when no such "<" exists, so the answer is the same.
        if not fragment.isascii() and _NOT_A_TOKEN.search(fragment):
            return None
        tokens = _TOKEN.findall(fragment)
    if opens != len(tokens):
        return None
    stack: list[str] = []
    parent = ""
    for close, tag, slash in tokens:
        if close:
            if tag != parent or slash:
                return None
            stack.pop()
            parent = stack[-1] if stack else ""
        elif tag not in _CHILDREN[parent]:
            return None
        elif tag in _VOID:
            continue
        elif slash:  # "<p/>": the slash is ignored and the output differs
            return None
        else:
            stack.append(tag)
            parent = tag
    if stack:
        return None
    if "/>" in fragment:  # "<br/>", "<br />" (and <hr>'s): str.replace, not a template sub per match
        for slashed, bare in _VOID_SLASHED:
            if slashed in fragment:
                fragment = fragment.replace(slashed, bare)
    if "\r" in fragment:  # the HTML5 input stream turns CR LF and lone CR into LF
        fragment = fragment.replace("\r\n", "\n").replace("\r", "\n")
    if "\xa0" in fragment:
        fragment = fragment.replace("\xa0", "&nbsp;")
    return fragment


def nh3_clean(fragment: str) -> str:
    """The full sanitiser (no fast path), on text already free of control characters."""
    if _CLEANER is not None:
        return _CLEANER.clean(fragment)
    return nh3.clean(
        fragment, tags=set(ALLOWED_TAGS), attributes=_ATTRIBUTES, url_schemes=_URL_SCHEMES, link_rel=_LINK_REL
    )  # nh3 without Cleaner


def sanitize_html(fragment: str | None) -> str | None:
    """HTML safe to show: no scripts, handlers, iframes or javascript: links."""
    if not fragment:
        return None
    fragment = strip_controls(fragment)
    cleaned = _already_clean(fragment)
    if cleaned is None:
        cleaned = nh3_clean(fragment)
    return cleaned.strip() or None


# The tag patterns on Python's engine, made linear by where they run. Each starts at a "<" and ends at
# the first ">" after it, so a "<" with no ">" anywhere after it never matches; on its own, a text of
# many "<" and no ">" costs quadratic time, since every "<" scans to the end (R32). ``_strip_tags``
# runs them only up to the last ">", where each attempt that gets past the tag name ends in a match:
# linear, with the same matches as before (these were RE2 patterns, whose Python wrapper runs sub()
# one match at a time in Python: 87,000 matches on 628 We Work Remotely postings took seconds).
# RE2's meanings are kept: \s is [\t\n\f\r ] (no \v), \b and case folding are ASCII.
# The block-tag test is a lookahead, so the match itself is one "[^>]*" run (twice as fast; the same
# matches: nothing the lookahead reads can be a ">").
# They run on the text's UTF-8 bytes (``surrogatepass``, so every str round-trips): the engine is
# several times faster on bytes than on a str with any non-Latin-1 character, and with ASCII-only
# meanings a pattern matches the same characters in both (no ASCII byte occurs inside a multi-byte
# character, and every pattern starts and stops at ASCII bytes).
_BLOCK = re.compile(rb"<(?=[\t\n\f\r ]*(?:br|/p|/div|/li|/h[1-6]|/tr|p|li)\b)[^>]*>[ \t]*\r?\n?", re.I)
_ANY_TAG = re.compile(rb"<[^>]+>")
_ANY_TAG_STR = re.compile(r"<[^>]+>")  # looks_like_html's question, asked of a str
_AFTER_BLOCK = re.compile(rb"[ \t]*\r?\n?")  # what _BLOCK takes after its ">"


def _strip_tags(text: str) -> str:
    """Block tags as one line break, other tags dropped; a "<" with no ">" after it stays as text."""
    if ">" not in text:
        return text
    return _strip_tags_utf8(text.encode("utf-8", "surrogatepass")).decode("utf-8", "surrogatepass")


def _strip_tags_utf8(raw: bytes) -> bytes:
    """``_strip_tags`` on UTF-8 bytes."""
    end = raw.rfind(b">") + 1
    if not end:
        return raw
    end = _AFTER_BLOCK.match(raw, end).end()  # type: ignore[union-attr]  # always matches
    raw = _BLOCK.sub(b"\n", raw[:end]) + raw[end:] if end < len(raw) else _BLOCK.sub(b"\n", raw)
    end = raw.rfind(b">") + 1
    return _ANY_TAG.sub(b"", raw[:end]) + raw[end:] if end < len(raw) else _ANY_TAG.sub(b"", raw)


def html_to_text(fragment: str | None) -> str | None:
    """Readable plain text of an HTML fragment (paragraphs kept as blank lines)."""
    if not fragment:
        return None
    return _text(fragment.encode("utf-8", "surrogatepass"), controls=True)


def _text(raw: bytes, *, controls: bool) -> str | None:
    """``html_to_text`` of the fragment whose UTF-8 (``surrogatepass``) encoding is ``raw``;
    ``controls=False`` when the fragment is known to hold no control characters (then only numeric
    entities can bring some in). The text stays bytes but for decoding entities and mojibake."""
    if b"<" in raw:
        raw = _strip_tags_utf8(raw)
    if b"&" in raw:
        controls = controls or b"#" in raw  # "&#12;", also double-escaped as "&amp;#12;"
        text = raw.decode("utf-8", "surrogatepass")
        text = html.unescape(html.unescape(text)) if "&amp;" in text else html.unescape(text)
        raw = text.encode("utf-8", "surrogatepass")
    if controls:
        raw = raw.translate(None, CTRL_BYTES)
    if may_hold_mojibake_utf8(raw):
        raw = fix_mojibake(raw.decode("utf-8", "surrogatepass")).encode("utf-8", "surrogatepass")
    return squash_blanks_utf8(raw) or None


def describe(fragment: str | None) -> tuple[str | None, str | None]:
    """An HTML description as (plain text, sanitised HTML): what every parser stores.

    The same as ``html_to_text`` and ``sanitize_html``, with the control-character check shared.
    """
    if not fragment:
        return None, None
    raw = fragment.encode("utf-8", "surrogatepass")
    kept = raw.translate(None, CTRL_BYTES)
    has_controls = len(kept) != len(raw)
    clean = kept.decode("utf-8", "surrogatepass") if has_controls else fragment
    safe = _already_clean(clean)
    if safe is None:
        safe = nh3_clean(clean)
    return _text(raw, controls=has_controls), safe.strip() or None
