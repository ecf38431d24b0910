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

The arrays live in an ``.npz`` read with ``allow_pickle=False``: loading runs no code from the file.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np

#: Keys of the arrays in the payload.
ARRAYS = ("text_terms", "text_idf", "text_coef", "text_intercept", "text_calib_a", "text_calib_b")
CALIBRATIONS = ("sigmoid",)
#: scikit-learn's default word pattern.
TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # noqa: S105 - a regex, not a password


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

    def decision(self, texts: list[str]) -> np.ndarray:
        """(n, k) decision values of each classifier, as the scikit-learn pipeline computes them."""
        dtype = self.idf.dtype
        out = np.empty((len(texts), self.coef.shape[0]), dtype=np.result_type(self.coef.dtype, dtype))
        coef_t = np.ascontiguousarray(self.coef.T)
        for i, text in enumerate(texts):
            cols, x = self._columns(text)
            if cols.size == 0:
                out[i] = 0
                continue
            if self.sublinear_tf:
                np.log(x, out=x)
                x += dtype.type(1.0)
            x *= self.idf[cols]
            # Squares in the data dtype, summed in float64 in column order, then divided in float64.
            squares = (x * x).astype(np.float64)
            norm = np.sqrt(np.add.accumulate(squares)[-1])
            if norm != 0.0:
                x = (x.astype(np.float64) / norm).astype(dtype)
            # Products in the result dtype, accumulated left to right (np.add.accumulate is sequential).
            products = x[:, None].astype(out.dtype) * coef_t[cols].astype(out.dtype)
            out[i] = np.add.accumulate(products, axis=0)[-1]
        result: np.ndarray = out + self.intercept.astype(out.dtype)
        return result

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Probability of the positive class per text (the pipeline's ``predict_proba(texts)[:, 1]``)."""
        d = self.decision(texts)
        mean = np.zeros(len(texts), dtype=np.float64)
        for c in range(d.shape[1]):
            mean += _expit(-(self.calib_a[c] * d[:, c] + self.calib_b[c]))
        result: np.ndarray = mean / d.shape[1]
        return result


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
