"""Text fingerprints: a 64-bit SimHash over 3-word shingles (Charikar 2002).

Each shingle is hashed to 64 bits; bit ``i`` of the fingerprint is set when more shingles have bit ``i``
set than clear, so texts that share most shingles differ in few bits. The store computes it when a
posting is written; scoring's repost index (``jobsift.scoring.reposts``) compares fingerprints.
"""

from __future__ import annotations

import hashlib
import re
from functools import partial
from itertools import islice
from operator import methodcaller

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")
BITS = 64
MIN_WORDS = 8
_BIT_ORDER = np.arange(BITS, dtype=np.uint64)


def _shingles(text: str, size: int = 3) -> list[str]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return [" ".join(words)] if words else []
    return list(map(" ".join, zip(*(words[i:] for i in range(size)), strict=False)))


#: One shingle's 64-bit hash (BLAKE2b, 8-byte digest), called from C through ``map`` (no Python frame
#: per shingle: a posting has hundreds).
_hash = partial(hashlib.blake2b, digest_size=8)
_digest = methodcaller("digest")


def simhash(text: str) -> int:
    """64-bit SimHash of ``text``; near-identical texts differ in few bits."""
    shingles = _shingles(text)
    if not shingles:
        return 0
    digests = b"".join(map(_digest, map(_hash, map(str.encode, shingles))))
    hashes = np.frombuffer(digests, dtype=">u8").astype(np.uint64)
    # One row per shingle, one column per bit (bit 0 = least significant).
    bits = (hashes[:, None] >> _BIT_ORDER[None, :]) & np.uint64(1)
    ones = bits.sum(axis=0, dtype=np.int64)
    set_bits = (2 * ones - len(shingles)) > 0
    return int(np.sum(np.left_shift(np.uint64(1), _BIT_ORDER[set_bits]), dtype=np.uint64))


def fingerprint(title: str, description: str | None) -> str | None:
    """Hex SimHash of a posting's text, or None when there is too little text to compare."""
    text = f"{title}\n{description or ''}"
    if next(islice(_WORD.finditer(text), MIN_WORDS - 1, None), None) is None:  # fewer than MIN_WORDS words
        return None
    return f"{simhash(text):016x}"
