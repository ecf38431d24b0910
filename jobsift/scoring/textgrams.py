"""A batch of documents' in-vocabulary word 1-2-grams, counted with numpy instead of per-token Python.

The text model (``textmodel.PlainTextModel``) needs, per document, the sorted vocabulary columns of
its n-grams and how often each occurs. Done one document at a time in Python (join every bigram
into a string, look it up, count with ``Counter``) this cost about 1 ms per posting. Here every
token of the whole batch is looked up once in a token table (a C-level ``dict.get`` over one
chain of tokens); unigrams are then an array lookup and bigrams a ``searchsorted`` over the
vocabulary's bigrams encoded as pairs of token numbers; ``np.unique`` over (document, column)
keys counts them, in document then column order. The result is the same set of (column, count)
pairs per document as the per-document path, which stays for any other token pattern or n-gram
range (``Grams.supports``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np

#: scikit-learn's default word pattern, and a faster one that finds the same tokens: a maximal run
#: of two or more word characters (``\b`` around a greedy ``\w\w+`` only ever matches whole runs,
#: and a run shorter than two matches neither).
DEFAULT_PATTERN = r"(?u)\b\w\w+\b"
RUNS = re.compile(r"\w{2,}")


@dataclass(frozen=True)
class Counts:
    """Per-element document number, vocabulary column and count, sorted by document then column."""

    doc: np.ndarray  # int64
    col: np.ndarray  # int64
    tf: np.ndarray  # int64


class Grams:
    """The vocabulary of a word 1-2-gram model as token numbers, for batch lookup."""

    def __init__(self, vocabulary: dict[str, int], ngram_range: tuple[int, int]) -> None:
        self.size = len(vocabulary)
        lo, hi = ngram_range
        self.unigrams, self.bigrams = lo <= 1, lo <= 2 <= hi
        tokens: dict[str, int] = {}
        uni: list[tuple[int, int]] = []
        bi: list[tuple[int, int, int]] = []
        for term, col in vocabulary.items():
            parts = term.split(" ")
            ids = [tokens.setdefault(p, len(tokens)) for p in parts]
            if len(ids) == 1:
                uni.append((ids[0], col))
            else:
                bi.append((ids[0], ids[1], col))
        self.tokens = tokens
        n = len(tokens)
        self.missing = n  # the token number of a token in no vocabulary term
        self.uni_col = np.full(n + 1, -1, dtype=np.int64)
        for tid, col in uni:
            self.uni_col[tid] = col
        keys = np.asarray([a * (n + 1) + b for a, b, _ in bi], dtype=np.int64)
        cols = np.asarray([c for _, _, c in bi], dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        self.bi_keys, self.bi_cols = keys[order], cols[order]

    @staticmethod
    def supports(vocabulary: dict[str, int], token_pattern: str, ngram_range: tuple[int, int]) -> bool:
        """True when the batch path reproduces the per-document one: default tokens, n-grams of 1-2 words."""
        if token_pattern != DEFAULT_PATTERN or ngram_range[1] > 2:
            return False
        lo, hi = ngram_range
        return all(lo <= term.count(" ") + 1 <= hi for term in vocabulary)

    def count(self, tokens: Sequence[list[str]]) -> Counts:
        """The in-vocabulary 1-2-grams of each document's tokens, counted."""
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        total = int(lengths.sum())
        tids = np.fromiter(
            map(self.tokens.get, chain.from_iterable(tokens), repeat(self.missing)), dtype=np.int64, count=total
        )
        doc_of = np.repeat(np.arange(len(tokens), dtype=np.int64), lengths)
        found_doc: list[np.ndarray] = []
        found_col: list[np.ndarray] = []
        if self.unigrams:
            cols = self.uni_col[tids]
            hit = cols >= 0
            found_doc.append(doc_of[hit])
            found_col.append(cols[hit])
        if self.bigrams and total > 1 and self.bi_keys.size:
            first, second = tids[:-1], tids[1:]
            same = doc_of[:-1] == doc_of[1:]
            known = same & (first != self.missing) & (second != self.missing)
            keys = first[known] * (self.missing + 1) + second[known]
            at = np.minimum(np.searchsorted(self.bi_keys, keys), self.bi_keys.size - 1)
            hit = self.bi_keys[at] == keys
            found_doc.append(doc_of[:-1][known][hit])
            found_col.append(self.bi_cols[at[hit]])
        if not found_doc:
            empty = np.empty(0, dtype=np.int64)
            return Counts(empty, empty, empty)
        combined = np.concatenate(found_doc) * self.size + np.concatenate(found_col)
        keys, tf = np.unique(combined, return_counts=True)
        return Counts(keys // self.size, keys % self.size, tf.astype(np.int64))


def tokenizer(token_pattern: str, lowercase: bool) -> Callable[[str], list[str]]:
    """The function giving one text's tokens as the vectorizer finds them."""
    find = RUNS.findall if token_pattern == DEFAULT_PATTERN else re.compile(token_pattern).findall
    if not lowercase:
        return find
    return lambda text: find(text.lower())
