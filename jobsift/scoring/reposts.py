"""Near-duplicate text detection for reposts: 64-bit SimHash over word shingles, banded LSH index.

SimHash (Charikar 2002): each 3-word shingle is hashed to 64 bits; bit ``i`` of the fingerprint is
set when more shingles have bit ``i`` set than clear. Texts that share most shingles differ in few
bits. Two postings are near-duplicates when their fingerprints differ in at most ``MAX_DISTANCE``
bits.

Index: the 64 bits are cut into 4 bands of 16 bits. If two fingerprints differ in at most 7 bits,
by the pigeonhole principle at least one band differs in at most 1 bit. The index keeps one sorted
numpy array of 4·N band keys; a batch of queries probes, for each band, its exact value and the 16
values one bit away (68 probes per query, answered together with ``searchsorted``), then checks the
candidates' exact Hamming distance, all vectorised. Building the index is O(N log N) (one sort); a
query is O(68·log N + b) where b is the number of candidates in the probed buckets (about 68·N/65536
for unrelated texts: ~1 at 1k stored postings, ~1,000 at 1M), so scoring N postings against N stored
ones is O(N·(log N + N/65536)) — near-linear up to hundreds of thousands, never a pairwise O(N²) scan.

Threshold: a one-word edit in a 50-300 word posting moves a median of 3-4 bits and 90% of the time
at most 7 (measured on EMSCAD texts), while unrelated texts sit 32 bits apart on average
(templated postings of one employer can come closer, which is why a match across different
known clients of one source does not count as a repost).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")
BITS = 64
BANDS = 4
BAND_BITS = BITS // BANDS
MAX_DISTANCE = 7
_PROBES = (0, *(1 << j for j in range(BAND_BITS)))
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


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def bands(fp: str) -> list[tuple[int, int]]:
    """The 4 bands of a 16-hex fingerprint, as (band number, 16-bit value)."""
    value = int(fp, 16)
    return [(i, (value >> (i * BAND_BITS)) & 0xFFFF) for i in range(BANDS)]


@dataclass(frozen=True, slots=True)
class Entry:
    """What the index keeps per stored posting: enough to decide whether a match is a repost."""

    id: int
    fingerprint: str
    source: str
    client_id: int | None = None
    company: str | None = None


def is_repost_pair(a: Entry, b: Entry) -> bool:
    """Same text counts as a repost across sources, or within a source from the same poster.

    Two *different* known clients on one source posting templated text ("Data entry needed") are
    not reposts of each other.
    """
    if a.source != b.source:
        return True
    if a.client_id is not None and b.client_id is not None:
        return a.client_id == b.client_id
    if a.company and b.company:
        return a.company.strip().lower() == b.company.strip().lower()
    return True


def _popcount(x: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):  # numpy >= 2.0
        return np.asarray(np.bitwise_count(x))
    as_bytes = x.astype(np.uint64).view(np.uint8).reshape(-1, 8)
    return np.asarray(np.unpackbits(as_bytes, axis=1).sum(axis=1))


class RepostIndex:
    """An in-memory banded LSH index over stored fingerprints (numpy arrays, queried in batches)."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self._entries: list[Entry] = []
        self._values: list[int] = []
        self._sorted: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        for e in entries:
            self.add(e)

    @property
    def size(self) -> int:
        return len(self._entries)

    def add(self, entry: Entry) -> None:
        if not entry.fingerprint or len(entry.fingerprint) != 16:
            return
        self._entries.append(entry)
        self._values.append(int(entry.fingerprint, 16))
        self._sorted = None

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(band keys sorted, entry position of each key, fingerprint values); 4 keys per entry."""
        if self._sorted is None:
            vals = np.asarray(self._values, dtype=np.uint64)
            keys = np.concatenate([_band_keys(vals, b) for b in range(BANDS)])
            pos = np.tile(np.arange(len(vals), dtype=np.int64), BANDS)
            order = np.argsort(keys, kind="stable")
            self._sorted = (keys[order], pos[order], vals)
        return self._sorted

    def near_many(self, fps: Sequence[str], max_distance: int = MAX_DISTANCE) -> list[list[Entry]]:
        """For each fingerprint, the stored entries within ``max_distance`` bits (complete up to 7)."""
        out: list[list[Entry]] = [[] for _ in fps]
        if not fps or not self._entries:
            return out
        keys, pos, vals = self._arrays()
        q = np.asarray([int(fp, 16) for fp in fps], dtype=np.uint64)
        probes = np.asarray(_PROBES, dtype=np.int64)
        # (Q, 4·17) probe keys: each band's value and its 16 one-bit neighbours.
        wanted = np.concatenate([(_band_keys(q, b)[:, None] ^ probes[None, :]) for b in range(BANDS)], axis=1).ravel()
        lo = np.searchsorted(keys, wanted, side="left")
        hi = np.searchsorted(keys, wanted, side="right")
        counts = hi - lo
        total = int(counts.sum())
        if total == 0:
            return out
        query = np.repeat(np.repeat(np.arange(len(q)), probes.size * BANDS), counts)
        first = np.repeat(lo, counts)
        offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        cand = pos[first + offset]
        close = _popcount(vals[cand] ^ q[query]) <= max_distance
        pairs = np.unique(np.stack([query[close], cand[close]], axis=1), axis=0)
        for qi, ci in pairs.tolist():
            out[qi].append(self._entries[ci])
        return out

    def near(self, fp: str, max_distance: int = MAX_DISTANCE) -> list[Entry]:
        """Stored entries within ``max_distance`` bits of ``fp``."""
        return self.near_many([fp], max_distance)[0]

    def reposts_many(self, entries: Sequence[Entry]) -> list[int | None]:
        """How many reposts each entry has (None without a fingerprint), one batched lookup."""
        with_fp = [i for i, e in enumerate(entries) if e.fingerprint]
        found = self.near_many([entries[i].fingerprint for i in with_fp])
        out: list[int | None] = [None] * len(entries)
        for i, near in zip(with_fp, found, strict=True):
            e = entries[i]
            out[i] = sum(1 for o in near if o.id != e.id and is_repost_pair(e, o))
        return out

def _band_keys(values: np.ndarray, band: int) -> np.ndarray:
    """band << 16 | the band's 16 bits, as int64 (so the 4 bands share one sorted array)."""
    bits = (values >> np.uint64(band * BAND_BITS)) & np.uint64(0xFFFF)
    return bits.astype(np.int64) | (band << BAND_BITS)
