"""The scam-text model as plain data, scored with numpy alone (no scikit-learn, no pickle).

Training fits a scikit-learn pipeline (``emscad.text_pipeline``: word 1-2-gram TF-IDF → logistic
regression, sigmoid-calibrated on grouped folds). ``export_pipeline`` turns the fitted pipeline into
arrays and a few settings; ``PlainTextModel`` reproduces its ``predict_proba`` from those, operation
for operation, so that the probabilities agree to 1e-9 (tests/scoring/test_plain_model.py):

* tokens: lower-cased text, ``token_pattern`` matches, then n-grams joined by one space, counted over
  the vocabulary only;
* tf-idf in the vectorizer's dtype (float32): ``log(tf) + 1``, times the idf, divided by the row's L2
  norm (squares summed in float64 in column order, as scikit-learn's Cython helper does);
* each sigmoid-calibrated classifier: the row's products with the coefficients summed in the coefficients'
  dtype, in column order (as scipy's CSR product does), plus the intercept, then
  ``expit(-(a·d + b))``; the classifiers' probabilities are averaged.

A batch is scored at once: its n-grams looked up and counted with numpy (``textgrams``), the
element-wise steps over all its entries together, each row's sums still in column order; a
posting's probability does not depend on the batch it is in (tests/scoring/test_text_batch.py).

The arrays live in an ``.npz`` read with ``allow_pickle=False``: loading runs no code from the file.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np

from jobsift.scoring.textgrams import Counts, Grams, tokenizer

#: Keys of the arrays in the payload.
ARRAYS = ("text_terms", "text_idf", "text_coef", "text_intercept", "text_calib_a", "text_calib_b")
CALIBRATIONS = ("sigmoid",)
#: scikit-learn's default word pattern.
TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # noqa: S105 - a regex, not a password


#: Fewer texts than this (``jobsift explain`` scores one) are counted one by one: building the batch
#: tables costs what counting about 40 postings alone does.
BATCH_MIN = 32
#: Texts tokenised and counted together (their token strings are held at once: ~40 KB a posting).
COUNT_CHUNK = 128


class PlainModelError(ValueError):
    """The arrays or settings do not describe a usable text model."""


@dataclass
class PlainTextModel:
    """TF-IDF + one or more (calibrated) logistic regressions, averaged."""

    vocabulary: dict[str, int]
    idf: np.ndarray  # (V,) in the tf-idf dtype
    coef: np.ndarray  # (k, V)
    intercept: np.ndarray  # (k,)
    calib_a: np.ndarray  # (k,) float64: each classifier's sigmoid, expit(-(a·d + b))
    calib_b: np.ndarray
    token_pattern: str = TOKEN_PATTERN
    ngram_range: tuple[int, int] = (1, 2)
    lowercase: bool = True
    sublinear_tf: bool = True
    calibration: str = "sigmoid"

    def __post_init__(self) -> None:
        self._token = re.compile(self.token_pattern)
        self._tokens = tokenizer(self.token_pattern, self.lowercase)
        self._batchable = Grams.supports(self.vocabulary, self.token_pattern, self.ngram_range)
        self._grams: Grams | None = None  # built at the first batch (about 45 ms for 20,000 terms)

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], settings: dict[str, Any]) -> PlainTextModel:
        """Check shapes and dtypes (anything else raises ``PlainModelError``) and build the model."""
        try:
            terms = arrays["text_terms"]
            idf, coef, intercept = arrays["text_idf"], arrays["text_coef"], arrays["text_intercept"]
            a, b = arrays["text_calib_a"], arrays["text_calib_b"]
        except KeyError as exc:
            raise PlainModelError(f"array {exc} missing") from None
        if terms.dtype.kind != "U" or terms.ndim != 1:
            raise PlainModelError("text_terms is not a list of strings")
        v = terms.shape[0]
        k = coef.shape[0] if coef.ndim == 2 else 0
        if idf.shape != (v,) or coef.shape != (k, v) or k == 0 or intercept.shape != (k,):
            raise PlainModelError("text model arrays have inconsistent shapes")
        if a.shape != (k,) or b.shape != (k,):
            raise PlainModelError("calibration arrays have inconsistent shapes")
        for name, arr in (("idf", idf), ("coef", coef), ("intercept", intercept), ("calib_a", a), ("calib_b", b)):
            if arr.dtype not in (np.float32, np.float64) or not np.isfinite(arr).all():
                raise PlainModelError(f"text_{name} is not finite floating point")
        calibration = str(settings.get("calibration", "sigmoid"))
        if calibration not in CALIBRATIONS:
            raise PlainModelError(f"unknown calibration {calibration!r}")
        ngrams = settings.get("ngram_range", [1, 2])
        if (
            not isinstance(ngrams, list | tuple)
            or len(ngrams) != 2
            or not all(isinstance(n, int) and 1 <= n <= 5 for n in ngrams)
            or ngrams[0] > ngrams[1]
        ):
            raise PlainModelError(f"bad ngram_range {ngrams!r}")
        try:
            pattern = str(settings.get("token_pattern", TOKEN_PATTERN))
            re.compile(pattern)
        except re.error as exc:
            raise PlainModelError(f"bad token_pattern ({exc})") from None
        return cls(
            vocabulary={str(t): i for i, t in enumerate(terms.tolist())},
            idf=idf,
            coef=coef,
            intercept=intercept,
            calib_a=a.astype(np.float64),
            calib_b=b.astype(np.float64),
            token_pattern=pattern,
            ngram_range=(int(ngrams[0]), int(ngrams[1])),
            lowercase=bool(settings.get("lowercase", True)),
            sublinear_tf=bool(settings.get("sublinear_tf", True)),
            calibration=calibration,
        )

    def _columns(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Sorted column indices and counts of one document's in-vocabulary n-grams."""
        tokens = self._token.findall(text.lower() if self.lowercase else text)
        lo, hi = self.ngram_range
        found: list[int | None] = []
        for n in range(lo, hi + 1):
            if n == 1:
                found.extend(map(self.vocabulary.get, tokens))
            else:
                grams = map(" ".join, zip(*(islice(tokens, i, None) for i in range(n)), strict=False))
                found.extend(map(self.vocabulary.get, grams))
        counts = Counter(found)
        counts.pop(None, None)
        if not counts:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=self.idf.dtype)
        cols = np.fromiter(counts, dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=self.idf.dtype, count=len(counts))
        order = np.argsort(cols, kind="stable")
        return cols[order], tf[order]

    def counts(self, texts: list[str]) -> Counts:
        """Each text's in-vocabulary n-grams: document, column and count, by document then column."""
        if self._batchable and len(texts) >= BATCH_MIN:
            if self._grams is None:
                self._grams = Grams(self.vocabulary, self.ngram_range)
            grams, tokens = self._grams, self._tokens
            parts = [
                grams.count([tokens(t) for t in texts[i : i + COUNT_CHUNK]]) for i in range(0, len(texts), COUNT_CHUNK)
            ]
            return Counts(
                np.concatenate([p.doc + i for p, i in zip(parts, range(0, len(texts), COUNT_CHUNK), strict=True)]),
                np.concatenate([p.col for p in parts]),
                np.concatenate([p.tf for p in parts]),
            )
        docs, cols, tfs = [], [], []
        for i, text in enumerate(texts):
            c, tf = self._columns(text)
            docs.append(np.full(c.size, i, dtype=np.int64))
            cols.append(c)
            tfs.append(tf.astype(np.int64))
        if not docs:
            empty = np.empty(0, dtype=np.int64)
            return Counts(empty, empty, empty)
        return Counts(np.concatenate(docs), np.concatenate(cols), np.concatenate(tfs))

    def decision(self, texts: list[str]) -> np.ndarray:
        """(n, k) decision values of each classifier, as the scikit-learn pipeline computes them.

        The whole batch at once: the element-wise steps over every document's entries together, the
        two sums (squares for the norm, products for the decision) in each document's column order,
        one position at a time across the documents (``_row_sums``), as the per-row loops do.
        """
        dtype = self.idf.dtype
        result_dtype = np.result_type(self.coef.dtype, dtype)
        c = self.counts(texts)
        x = c.tf.astype(dtype)
        if self.sublinear_tf:
            np.log(x, out=x)
            x += dtype.type(1.0)
        x *= self.idf[c.col]
        starts = np.searchsorted(c.doc, np.arange(len(texts)), side="left")
        lengths = np.bincount(c.doc, minlength=len(texts))
        # Squares in the data dtype, summed in float64 in column order, then divided in float64.
        squares = (x * x).astype(np.float64)
        norm = np.sqrt(_row_sums(squares[:, None], starts, lengths)[:, 0])
        row_norm = norm[c.doc]
        nonzero = row_norm != 0.0
        x = np.where(nonzero, x.astype(np.float64) / np.where(nonzero, row_norm, 1.0), x).astype(dtype)
        # Products in the result dtype, accumulated left to right.
        products = x[:, None].astype(result_dtype) * self.coef.T[c.col].astype(result_dtype)
        out = _row_sums(products, starts, lengths)
        result: np.ndarray = out + self.intercept.astype(result_dtype)
        return result

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Probability of the positive class per text (the pipeline's ``predict_proba(texts)[:, 1]``)."""
        d = self.decision(texts)
        mean = np.zeros(len(texts), dtype=np.float64)
        for c in range(d.shape[1]):
            mean += _expit(-(self.calib_a[c] * d[:, c] + self.calib_b[c]))
        result: np.ndarray = mean / d.shape[1]
        return result


def _row_sums(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Each document's rows of ``values`` (its ``lengths[d]`` rows from ``starts[d]``) summed in order.

    Sequential, as a per-row ``np.add.accumulate(...)[-1]`` is (numpy's own reductions may sum
    pairwise, which in float32 can differ in the last bits): position j of every document still that
    long is added at step j; a document without rows sums to 0. The documents go longest first, so
    those still being summed at step j are a prefix.
    """
    out = np.zeros((lengths.size, values.shape[1]), dtype=values.dtype)
    if values.shape[0] == 0:
        return out
    order = np.argsort(-lengths, kind="stable")
    sorted_starts, sorted_lengths = starts[order], lengths[order]
    acc = values[sorted_starts[sorted_lengths > 0]].copy()
    longest = int(sorted_lengths[0])
    active = np.searchsorted(-sorted_lengths, -np.arange(longest), side="left")  # documents longer than j
    for j in range(1, longest):
        n = int(active[j])
        acc[:n] += values[sorted_starts[:n] + j]
    out[order[: acc.shape[0]]] = acc
    return out


def _expit(x: np.ndarray) -> np.ndarray:
    """The logistic function, stable for large |x| (scipy.special.expit without scipy)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def export_pipeline(pipeline: Any) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Arrays and settings of a fitted ``TfidfVectorizer → (CalibratedClassifierCV of) LogisticRegression``.

    Refuses (``PlainModelError``) any setting the plain model does not reproduce.
    """
    vec, clf = pipeline.steps[0][1], pipeline.steps[-1][1]
    p = vec.get_params()
    unsupported = {
        "analyzer": "word",
        "binary": False,
        "norm": "l2",
        "preprocessor": None,
        "stop_words": None,
        "strip_accents": None,
        "tokenizer": None,
        "use_idf": True,
    }
    for key, want in unsupported.items():
        if p.get(key) != want:
            raise PlainModelError(f"vectorizer setting {key}={p.get(key)!r} is not supported (need {want!r})")
    if len(pipeline.steps) != 2:
        raise PlainModelError("expected a two-step pipeline (vectorizer, classifier)")
    dtype = np.dtype(p["dtype"])
    terms = np.empty(len(vec.vocabulary_), dtype=object)
    for term, j in vec.vocabulary_.items():
        terms[j] = term
    if not hasattr(clf, "calibrated_classifiers_") or clf.method != "sigmoid":
        raise PlainModelError("expected a sigmoid-calibrated classifier (CalibratedClassifierCV, method='sigmoid')")
    estimators = [cc.estimator for cc in clf.calibrated_classifiers_]
    calib = [cc.calibrators[0] for cc in clf.calibrated_classifiers_]
    a = np.asarray([c.a_ for c in calib], dtype=np.float64)
    b = np.asarray([c.b_ for c in calib], dtype=np.float64)
    for est in estimators:
        if type(est).__name__ != "LogisticRegression" or est.coef_.shape[0] != 1:
            raise PlainModelError("expected binary logistic regressions")
    arrays = {
        "text_terms": terms.astype(str),
        "text_idf": np.asarray(vec.idf_, dtype=dtype),
        "text_coef": np.vstack([est.coef_ for est in estimators]),
        "text_intercept": np.concatenate([est.intercept_ for est in estimators]),
        "text_calib_a": a,
        "text_calib_b": b,
    }
    settings = {
        "token_pattern": p["token_pattern"],
        "ngram_range": list(p["ngram_range"]),
        "lowercase": bool(p["lowercase"]),
        "sublinear_tf": bool(p["sublinear_tf"]),
        "calibration": "sigmoid",
    }
    return arrays, settings


def model_arrays(model: PlainTextModel) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and settings of an already plain model (kept as is when only the ghost weights change)."""
    terms = np.empty(len(model.vocabulary), dtype=object)
    for term, j in model.vocabulary.items():
        terms[j] = term
    arrays = {
        "text_terms": terms.astype(str),
        "text_idf": model.idf,
        "text_coef": model.coef,
        "text_intercept": model.intercept,
        "text_calib_a": model.calib_a,
        "text_calib_b": model.calib_b,
    }
    settings = {
        "token_pattern": model.token_pattern,
        "ngram_range": list(model.ngram_range),
        "lowercase": model.lowercase,
        "sublinear_tf": model.sublinear_tf,
        "calibration": model.calibration,
    }
    return arrays, settings


def to_arrays(text_model: Any) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """A fitted scikit-learn pipeline or a plain model, as the arrays an artifact stores."""
    if isinstance(text_model, PlainTextModel):
        return model_arrays(text_model)
    return export_pipeline(text_model)
