"""Near-duplicate text detection for reposts: 64-bit SimHash over word shingles."""

from __future__ import annotations

import hashlib
import re

_WORD = re.compile(r"[a-z0-9]+")
BITS = 64


def _shingles(text: str, size: int = 3) -> list[str]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]


def simhash(text: str) -> int:
    """64-bit SimHash of ``text``; near-identical texts differ in few bits."""
    weights = [0] * BITS
    for shingle in _shingles(text):
        h = int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")
        for bit in range(BITS):
            weights[bit] += 1 if (h >> bit) & 1 else -1
    value = 0
    for bit in range(BITS):
        if weights[bit] > 0:
            value |= 1 << bit
    return value


def fingerprint(title: str, description: str | None) -> str | None:
    """Hex SimHash of a posting's text, or None when there is too little text to compare."""
    text = f"{title}\n{description or ''}"
    if len(_WORD.findall(text)) < 8:
        return None
    return f"{simhash(text):016x}"


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
