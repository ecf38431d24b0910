"""Plain-text repairs every parser shares: control characters, mojibake, blank runs.

Each helper first asks a cheap question in C (``str.isascii``, ``in``, a byte-level delete) and
only does the expensive pass when the text needs it: these run on every posting's description.
"""

from __future__ import annotations

import functools
import re
from functools import cache

# C0 controls other than tab, newline and carriage return, and DEL.
CTRL_CHARS = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]))
CTRL_TABLE = dict.fromkeys(map(ord, CTRL_CHARS))
_CTRL_BYTES = CTRL_CHARS.encode("ascii")
# A regex class of the non-ASCII characters str.split() treats as blank (a test keeps it complete).
WIDE_SPACE_CLASS = "\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_WIDE_SPACE = re.compile(f"[{WIDE_SPACE_CLASS}]")


def strip_controls(text: str) -> str:
    """``text`` without C0 control characters (tab, newline and CR kept) or DEL."""
    # A byte-level delete is several times cheaper than str.translate with a dict, and in UTF-8
    # these ASCII bytes never occur inside another character's encoding.
    raw = text.encode("utf-8", "surrogatepass")
    kept = raw.translate(None, _CTRL_BYTES)
    return text if len(kept) == len(raw) else kept.decode("utf-8", "surrogatepass")


def squash_blanks(text: str) -> str:
    """Blanks collapsed within lines, lines stripped, blank-line runs cut to one; stripped.

    The same result as joining ``" ".join(line.split())`` over the lines and collapsing runs of
    empty lines, but with C-level replaces instead of one Python call per line and word.
    Expects text without control characters (see ``strip_controls``).
    """
    if "\r" in text:
        text = text.replace("\r", "\n")
    if not text.isascii() and _WIDE_SPACE.search(text):
        text = _WIDE_SPACE.sub(" ", text)
    if "\t" in text:
        text = text.replace("\t", " ")
    while "  " in text:
        text = text.replace("  ", " ")
    if " \n" in text:
        text = text.replace(" \n", "\n")
    if "\n " in text:
        text = text.replace("\n ", "\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


# --- mojibake -------------------------------------------------------------------------------
# UTF-8 bytes read as cp1252 / latin-1 / cp1251 ("â€“", "Ã©", "В©"): a lead byte 0xC2-0xF4 then
# 1-3 continuation bytes 0x80-0xBF. Each run is re-decoded only if it is valid UTF-8.
_MOJIBAKE_CODECS = ("cp1252", "latin-1", "cp1251")


def _chars(codec: str, lo: int, hi: int) -> str:
    out = []
    for b in range(lo, hi + 1):
        try:
            out.append(bytes([b]).decode(codec))
        except UnicodeDecodeError:
            continue
    return "".join(out)


def _lead_cont(codec: str) -> tuple[str, str]:
    # cp1251 leads are Cyrillic letters; only "В"/"в" (0xC2, 0xE2: "В©", "вЂ™") are common
    # enough in mojibake and rare enough before these symbols in real Russian text.
    return (_chars(codec, 0xC2, 0xF4) if codec != "cp1251" else "Вв"), _chars(codec, 0x80, 0xBF)


@cache
def _mojibake_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    pats = []
    for codec in _MOJIBAKE_CODECS:
        lead, cont = _lead_cont(codec)
        pats.append((codec, re.compile(f"[{re.escape(lead)}][{re.escape(cont)}]{{1,3}}")))
    return tuple(pats)


@cache
def _any_mojibake() -> re.Pattern[str]:
    """A lead then a continuation character of any of the codecs. Each codec's pattern needs a pair
    from these sets, so when this one scan finds none (the usual case) the three passes are skipped."""
    leads, conts = zip(*map(_lead_cont, _MOJIBAKE_CODECS), strict=True)
    lead, cont = "".join(sorted(set("".join(leads)))), "".join(sorted(set("".join(conts))))
    return re.compile(f"[{re.escape(lead)}][{re.escape(cont)}]")


def _redecode(match: re.Match[str], codec: str) -> str:
    run = match.group(0)
    try:
        return run.encode(codec).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return run


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 text that was decoded with a single-byte codec; other text is returned as is."""
    if text.isascii() or not _any_mojibake().search(text):
        return text
    for codec, pattern in _mojibake_patterns():
        if pattern.search(text):
            text = pattern.sub(functools.partial(_redecode, codec=codec), text)
    return text
