"""Near-duplicate text detection for reposts: 64-bit SimHash over word shingles, banded LSH index.

SimHash (Charikar 2002): each 3-word shingle is hashed to 64 bits; bit ``i`` of the fingerprint is
set when more shingles have bit ``i`` set than clear. Texts that share most shingles differ in few
bits. Two postings are near-duplicates when their fingerprints differ in at most ``MAX_DISTANCE``
bits.

Index: the 64 bits are cut into 4 bands of 16 bits. If two fingerprints differ in at most 7 bits,
by the pigeonhole principle at least one band differs in at most 1 bit. The index keeps one sorted
numpy array of 4·N band keys; a batch of queries probes, for each band, its exact value and the 16
values one bit away (68 probes per query, answered together with ``searchsorted``), then checks the
candidates' exact Hamming distance, all vectorised. Building the index is O(N) (a radix sort of
each band's 16 bits) and adding k postings to it O(N + k) (a merge). A query is O(68·log N + b),
where b is the number of candidates in the probed buckets (about 68·N/65536 for unrelated texts:
~1 at 1k stored postings, ~1,000 at 1M), so scoring N postings against N stored ones is
O(N·(log N + N/65536)): near-linear up to hundreds of thousands, never a pairwise O(N²) scan.

Threshold: a one-word edit in a 50-300 word posting moves a median of 3-4 bits and 90% of the time
at most 7 (measured on EMSCAD texts), while unrelated texts sit 32 bits apart on average
(templated postings of one employer can come closer, which is why a match across different
known clients of one source does not count as a repost).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from jobsift.store.scoring_records import RepostFacts

BITS = 64
BANDS = 4
BAND_BITS = BITS // BANDS
MAX_DISTANCE = 7
_PROBES = (0, *(1 << j for j in range(BAND_BITS)))


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def bands(fp: str) -> list[tuple[int, int]]:
    """The 4 bands of a 16-hex fingerprint, as (band number, 16-bit value)."""
    value = int(fp, 16)
    return [(i, (value >> (i * BAND_BITS)) & 0xFFFF) for i in range(BANDS)]


#: What the index keeps per stored posting: enough to decide whether a match is a repost (id,
#: fingerprint, source, client id, company), the record the store reads them as.
Entry = RepostFacts


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


#: Looks up the details of stored postings by id (source, client, company), for the few that match.
Resolver = Callable[[Sequence[int]], Mapping[int, Entry]]


def parse_fingerprints(fps: Sequence[str]) -> np.ndarray:
    """16-hex fingerprints as uint64 values (one ``bytes.fromhex`` for all of them)."""
    try:
        return np.frombuffer(bytes.fromhex("".join(fps)), dtype=">u8").astype(np.uint64)
    except ValueError:
        return np.asarray([int(fp, 16) for fp in fps], dtype=np.uint64)


class RepostIndex:
    """A banded LSH index over stored fingerprints (numpy arrays, queried in batches).

    It keeps only ids and 64-bit values: at 1M stored postings that is 16 MB and loads in about a
    second. What decides whether a match is a repost (source, client, company) is looked up for
    the matches only, through ``resolve``; entries added with :meth:`add` carry it themselves.
    """

    def __init__(self, entries: Iterable[Entry] = (), resolve: Resolver | None = None) -> None:
        self._known: dict[int, Entry] = {}
        self._ids = np.zeros(0, dtype=np.int64)
        self._vals = np.zeros(0, dtype=np.uint64)
        self._pending: list[Entry] = []
        self._sorted: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._resolve = resolve
        for e in entries:
            self.add(e)

    @classmethod
    def from_arrays(cls, ids: np.ndarray, values: np.ndarray, resolve: Resolver | None = None) -> RepostIndex:
        """An index over stored (id, fingerprint value) pairs whose details ``resolve`` looks up."""
        index = cls(resolve=resolve)
        index._ids = np.asarray(ids, dtype=np.int64)
        index._vals = np.asarray(values, dtype=np.uint64)
        return index

    @property
    def size(self) -> int:
        return int(self._ids.size) + len(self._pending)

    def add(self, entry: Entry) -> None:
        if not entry.fingerprint or len(entry.fingerprint) != 16:
            return
        self._known[entry.id] = entry
        self._pending.append(entry)
        self._sorted = None

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """4 band keys per entry, sorted: (keys, entry position of each key, fingerprint of each key).

        A key is ``band << 16 | the band's 16 bits`` (int32). Each band is ordered by a stable
        argsort of its 16-bit values (numpy radix-sorts 16-bit integers: linear time), and the bands
        follow each other, so the concatenation is sorted. The fingerprint is copied next to each key
        so that checking a bucket's candidates reads memory in order.
        """
        if self._pending:
            self._ids = np.concatenate([self._ids, np.asarray([e.id for e in self._pending], dtype=np.int64)])
            self._vals = np.concatenate([self._vals, parse_fingerprints([e.fingerprint for e in self._pending])])
            self._pending = []
            self._sorted = None
        if self._sorted is None:
            self._sorted = _band_arrays(self._vals, 0)
        return self._sorted

    def extended(self, ids: np.ndarray, values: np.ndarray) -> RepostIndex:
        """A new index with these (id, value) pairs added; this one stays as it was.

        The new band keys are merged into the sorted arrays (O(N + k)) instead of sorting all
        4·(N + k) keys again: what a long-lived process does after each crawl.
        """
        keys, pos, vals = self._arrays()
        ids = np.asarray(ids, dtype=np.int64)
        values = np.asarray(values, dtype=np.uint64)
        out = RepostIndex.from_arrays(
            np.concatenate([self._ids, ids]), np.concatenate([self._vals, values]), resolve=self._resolve
        )
        out._known = dict(self._known)  # its own: adding to one index must not change the other
        if ids.size:
            new_keys, new_pos, new_vals = _band_arrays(values, self._ids.size)
            at = np.searchsorted(keys, new_keys, side="right")
            out._sorted = (np.insert(keys, at, new_keys), np.insert(pos, at, new_pos), np.insert(vals, at, new_vals))
        else:
            out._sorted = self._sorted
        return out

    @property
    def max_id(self) -> int:
        """The highest stored id in the index (0 when empty)."""
        self._arrays()
        return int(self._ids.max()) if self._ids.size else 0

    def near_many(
        self,
        fps: Sequence[str],
        max_distance: int = MAX_DISTANCE,
        resolve: Resolver | None = None,
        known: Mapping[int, Entry] | None = None,
    ) -> list[list[Entry]]:
        """For each fingerprint, the stored entries within ``max_distance`` bits (complete up to 7).

        ``resolve`` overrides the index's own lookup (e.g. to read through the caller's transaction);
        ``known`` entries (such as the postings being scored, which match themselves) need no lookup.
        """
        out: list[list[Entry]] = [[] for _ in fps]
        if not fps or not self.size:
            return out
        keys, pos, vals = self._arrays()
        q = parse_fingerprints(fps)
        probes = np.asarray(_PROBES, dtype=np.int32)
        # (Q, 4·17) probe keys: each band's value and its 16 one-bit neighbours, searched in sorted
        # order (numpy's binary search narrows from the previous hit when the needles ascend).
        wanted = np.concatenate(
            [(_band_keys(q, b).astype(np.int32)[:, None] ^ probes[None, :]) for b in range(BANDS)], axis=1
        ).ravel()
        order = np.argsort(wanted, kind="stable")
        wanted = wanted[order]
        query_of = (order // (probes.size * BANDS)).astype(np.int64)
        lo = np.searchsorted(keys, wanted, side="left")
        hi = np.searchsorted(keys, wanted + 1, side="left")
        counts = hi - lo
        total = int(counts.sum())
        if total == 0:
            return out
        query = np.repeat(query_of, counts)
        starts = np.cumsum(counts) - counts
        at = np.arange(total) + np.repeat(lo - starts, counts)
        close = _popcount(vals[at] ^ q[query]) <= max_distance
        found = self._ids[pos[at[close]]]
        pairs = _unique_pairs(query[close], found)
        details = self._details(sorted(set(pairs[:, 1].tolist())), resolve or self._resolve, known or {})
        for qi, pid in pairs.tolist():
            entry = details.get(pid)  # a posting deleted since the index was loaded has none
            # An index kept between runs may hold a posting's old fingerprint: the current one decides.
            current = entry.fingerprint if entry is not None else ""
            if entry is not None and len(current) == 16 and hamming(current, fps[qi]) <= max_distance:
                out[qi].append(entry)
        return out

    def _details(self, ids: list[int], resolve: Resolver | None, known: Mapping[int, Entry]) -> dict[int, Entry]:
        found = {i: e for i in ids if (e := known.get(i) or self._known.get(i)) is not None}
        missing = [i for i in ids if i not in found]
        if missing and resolve is not None:
            found.update(resolve(missing))
        return found

    def near(self, fp: str, max_distance: int = MAX_DISTANCE) -> list[Entry]:
        """Stored entries within ``max_distance`` bits of ``fp``."""
        return self.near_many([fp], max_distance)[0]

    def reposts_many(self, entries: Sequence[Entry], resolve: Resolver | None = None) -> list[int | None]:
        """How many reposts each entry has (None without a fingerprint), one batched lookup."""
        with_fp = [i for i, e in enumerate(entries) if e.fingerprint]
        known = {e.id: e for e in entries}
        found = self.near_many([entries[i].fingerprint for i in with_fp], resolve=resolve, known=known)
        out: list[int | None] = [None] * len(entries)
        for i, near in zip(with_fp, found, strict=True):
            e = entries[i]
            out[i] = sum(1 for o in near if o.id != e.id and is_repost_pair(e, o))
        return out


def _band_arrays(values: np.ndarray, offset: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted (band key, entry position + ``offset``, value) over all 4 bands of ``values``."""
    keys, pos, vals = [], [], []
    for b in range(BANDS):
        bits = ((values >> np.uint64(b * BAND_BITS)) & np.uint64(0xFFFF)).astype(np.uint16)
        order = np.argsort(bits, kind="stable")
        keys.append(bits[order].astype(np.int32) | np.int32(b << BAND_BITS))
        pos.append((order + offset).astype(np.int32))
        vals.append(values[order])
    return np.concatenate(keys), np.concatenate(pos), np.concatenate(vals)


def _band_keys(values: np.ndarray, band: int) -> np.ndarray:
    """band << 16 | the band's 16 bits, as int64 (so the 4 bands share one sorted array)."""
    bits = (values >> np.uint64(band * BAND_BITS)) & np.uint64(0xFFFF)
    return bits.astype(np.int64) | (band << BAND_BITS)


def _unique_pairs(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The distinct (first, second) rows in sorted order: ``np.unique(np.stack(...), axis=0)`` without
    the ``numpy.ma`` import that call makes (about 20 ms of a crawl's start-up)."""
    order = np.lexsort((second, first))
    a, b = first[order], second[order]
    keep = np.ones(a.size, dtype=bool)
    keep[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return np.stack([a[keep], b[keep]], axis=1)
