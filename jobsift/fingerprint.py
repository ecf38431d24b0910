"""Text fingerprints: a 64-bit SimHash over 3-word shingles (Charikar 2002).

Each shingle is hashed to 64 bits; bit ``i`` of the fingerprint is set when more shingles have bit ``i``
set than clear, so texts that share most shingles differ in few bits. The store computes it when a
posting is written; scoring's repost index (``jobsift.scoring.reposts``) compares fingerprints.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")
BITS = 64
MIN_WORDS = 8
_BIT_ORDER = np.arange(BITS, dtype=np.uint64)


def _shingles(text: str, size: int = 3) -> list[str]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]


def simhash(text: str) -> int:
    """64-bit SimHash of ``text``; near-identical texts differ in few bits."""
    shingles = _shingles(text)
    if not shingles:
        return 0
    digests = b"".join(hashlib.blake2b(s.encode(), digest_size=8).digest() for s in shingles)
    hashes = np.frombuffer(digests, dtype=">u8").astype(np.uint64)
    # One row per shingle, one column per bit (bit 0 = least significant).
    bits = (hashes[:, None] >> _BIT_ORDER[None, :]) & np.uint64(1)
    ones = bits.sum(axis=0, dtype=np.int64)
    set_bits = (2 * ones - len(shingles)) > 0
    return int(np.sum(np.left_shift(np.uint64(1), _BIT_ORDER[set_bits]), dtype=np.uint64))


def fingerprint(title: str, description: str | None) -> str | None:
    """Hex SimHash of a posting's text, or None when there is too little text to compare."""
    text = f"{title}\n{description or ''}"
    if len(_WORD.findall(text)) < MIN_WORDS:
        return None
    return f"{simhash(text):016x}"
