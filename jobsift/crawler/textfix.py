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
CTRL_BYTES = CTRL_CHARS.encode("ascii")
# A regex class of the non-ASCII characters str.split() treats as blank (a test keeps it complete).
WIDE_SPACE_CLASS = "\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
WIDE_SPACES = "\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"


def strip_controls(text: str) -> str:
    """``text`` without C0 control characters (tab, newline and CR kept) or DEL."""
    # A byte-level delete is several times cheaper than str.translate with a dict, and in UTF-8
    # these ASCII bytes never occur inside another character's encoding.
    raw = text.encode("utf-8", "surrogatepass")
    kept = raw.translate(None, CTRL_BYTES)
    return text if len(kept) == len(raw) else kept.decode("utf-8", "surrogatepass")


def squash_blanks(text: str) -> str:
    """Blanks collapsed within lines, lines stripped, blank-line runs cut to one; stripped.

    The same result as joining ``" ".join(line.split())`` over the lines and collapsing runs of
    empty lines. Expects text without control characters (see ``strip_controls``).
    """
    return squash_blanks_utf8(text.encode("utf-8", "surrogatepass"))


# The blank passes run on UTF-8 bytes: Python's regex engine and ``replace`` are several times faster
# on bytes than on a str holding any non-Latin-1 character (a curly quote makes a text two bytes a
# character, and every pass slower). UTF-8 never puts an ASCII byte inside another character, and
# each wide blank is matched as its whole encoding, so the passes change what they changed on str.
_WIDE_SPACE_UTF8 = re.compile(b"|".join(re.escape(c.encode()) for c in WIDE_SPACES))
_WIDE_C2 = re.compile(b"\xc2[\x85\xa0]")  # the wide blanks whose encoding starts with 0xC2, 0xE2
_WIDE_E2 = re.compile(b"\xe2(?:\x80[\x80-\x8a\xa8\xa9\xaf]|\x81\x9f)")
_TAB_CR = bytes.maketrans(b"\t\r", b" \n")
_SPACE_RUN = re.compile(b"  +")  # each match starts at a space and ends at the first non-space: linear
_BREAK_RUN = re.compile(b"\n\n\n+")  # the same, for line breaks


_SPACE_RUN_STR = re.compile("  +")
_BREAK_RUN_STR = re.compile("\n\n\n+")


def _squash_ascii(text: str) -> str:
    """The passes of ``squash_blanks_utf8`` on ASCII text, as a str (faster there than bytes)."""
    if "\r" in text:
        text = text.replace("\r", "\n")
    if "\t" in text:
        text = text.replace("\t", " ")
    if "  " in text:
        text = _SPACE_RUN_STR.sub(" ", text)
    if " \n" in text:
        text = text.replace(" \n", "\n")
    if "\n " in text:
        text = text.replace("\n ", "\n")
    if "\n\n\n" in text:
        text = _BREAK_RUN_STR.sub("\n\n", text)
    return text.strip()


def squash_blanks_utf8(raw: bytes) -> str:
    """``squash_blanks`` of the text whose UTF-8 (``surrogatepass``) encoding is ``raw``.

    Carriage returns become breaks, wide blanks and tabs spaces; space runs collapse to one, spaces
    next to a break go, runs of more than two breaks become two.
    """
    if raw.isascii():  # str's replace is a little faster than bytes' on ASCII: the passes as they were
        return _squash_ascii(raw.decode("ascii"))
    # Each wide blank's first byte is looked for with memchr; the patterns run only on a hit.
    if b"\xc2" in raw:
        raw = _WIDE_C2.sub(b" ", raw)
    if b"\xe2" in raw and _WIDE_E2.search(raw):  # 0xE2 also starts curly quotes and dashes
        raw = _WIDE_E2.sub(b" ", raw)
    if b"\xe1" in raw or b"\xe3" in raw:
        raw = _WIDE_SPACE_UTF8.sub(b" ", raw)
    if b"\t" in raw or b"\r" in raw:
        raw = raw.translate(_TAB_CR)
    if b"  " in raw:
        raw = _SPACE_RUN.sub(b" ", raw)
    if b" \n" in raw:
        raw = raw.replace(b" \n", b"\n")
    if b"\n " in raw:
        raw = raw.replace(b"\n ", b"\n")
    if b"\n\n\n" in raw:
        raw = _BREAK_RUN.sub(b"\n\n", raw)
    return raw.decode("utf-8", "surrogatepass").strip()


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


def _utf8_alternatives(chars: str) -> bytes:
    """A bytes pattern matching exactly the UTF-8 encoding of any of ``chars``: encodings that differ
    only in their last byte share one alternative ending in a byte class."""
    groups: dict[bytes, list[int]] = {}
    for c in sorted(set(chars)):
        raw = c.encode("utf-8", "surrogatepass")
        groups.setdefault(raw[:-1], []).append(raw[-1])
    return b"|".join(
        re.escape(head) + b"[" + b"".join(re.escape(bytes([b])) for b in tails) + b"]" for head, tails in groups.items()
    )


@cache
def _any_mojibake_utf8() -> tuple[tuple[bytes, ...], re.Pattern[bytes]]:
    """``_any_mojibake`` on UTF-8 bytes, and the first bytes its matches can start with.

    Each alternative is a whole character's encoding (a lead byte first), so a match starts and ends
    on character boundaries, where the str pattern matches."""
    leads, conts = zip(*map(_lead_cont, _MOJIBAKE_CODECS), strict=True)
    lead = "".join(leads)
    cont = b"(?:" + _utf8_alternatives("".join(conts)) + b")"
    firsts = tuple(sorted({c.encode()[:1] for c in lead}))
    return firsts, re.compile(b"(?:" + _utf8_alternatives(lead) + b")" + cont)


def may_hold_mojibake_utf8(raw: bytes) -> bool:
    """Whether the text encoded as ``raw`` (UTF-8) has a lead then a continuation character of the
    mojibake codecs: ``fix_mojibake`` changes only such text. The leads' first bytes (0xC3, 0xD0) are
    looked for first, with memchr: most text has none and is not scanned."""
    if raw.isascii():
        return False
    firsts, pattern = _any_mojibake_utf8()
    return any(b in raw for b in firsts) and pattern.search(raw) is not None


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
