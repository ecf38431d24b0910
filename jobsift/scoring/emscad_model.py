"""The full EMSCAD model: one logistic regression over per-field TF-IDF, metadata tokens and structured fields.

Used for EMSCAD-format input (``jobsift evaluate``), where every column of the posting is known. Each
text field (title, company profile, description, requirements, benefits) gets its own word 1-2-gram
TF-IDF, so "no company profile" and "scam wording in the benefits" are separate evidence instead of
being diluted in one bag of words. Categorical columns (location country/state/city, department,
salary range, employment type, experience, education, industry, function) become one token each,
and the structured fields (``structured``: logo, screening questions, telecommuting, salary given,
empty profile, field lengths, #URL/#EMAIL/#PHONE placeholders) are scaled to [-1, 1].

The six yes/no facts (logo, questions, telecommuting, company profile, salary, department) also
enter as every pair of their values (``flag_pairs``, 15 pairs x 4 cells): a linear model cannot
otherwise say that screening questions point to fraud with a logo but away from it without one.
All pairs, fixed before measuring, not a hand-picked few. This took grouped-CV F1 from 0.796 to
0.844 and PR-AUC from 0.893 to 0.920, but most of the gain is on three large employer groups (two
staffing-style scam crews that look alike and one large real employer, 133 rows): weighting every
employer equally, F1 stays at 0.86 (see docs/scoring.md).

The TF-IDF blocks also enter a second time in their rescaled SVD basis (``RescaledBasis``): same
text, but the L2 penalty no longer falls hardest on the directions the training text varies least
along. This took F1 from 0.844 to 0.863 ± 0.003 (10 seeds: 0.860 ± 0.004, every seed ≥ 0.851;
choosing the number of components in inner folds instead of keeping all: 0.856), with the gain on
small and large employer groups alike (per employer 0.862 → 0.875).

Never used as features: ``source``, ``orig_job_id`` and ``job_id``. In the dev CSV ``source`` says
which public sample a row came from and one sample is fraud-only, so it (and the empty
``orig_job_id`` of that sample) would give the label away.

Tried and not kept (employer-grouped CV, 3 seeds x 5 folds, see docs/scoring.md): char n-grams
(+0.001 F1, 4x slower), stacking per-field models under boosted trees or a logistic meta-model
(worse: 0.74-0.76), blending with the earlier boosted-tree stack (+0.003, 3x the variance), an
F1-optimal threshold from inner out-of-fold predictions (the optimum sits at 0.3-0.5 and gains
< 0.003), heavier weight on the structured block (worse). On top of the flag pairs (F1 0.844 /
PR-AUC 0.920) none of the following gains more than 0.003 F1 (each variant's F1 / PR-AUC mean ± std
is in docs/scoring.md): NB-SVM log-count-ratio features, binary or TF-IDF (0.836 / 0.838); binary
TF (0.841); min_df 1 or 3 (0.842 / 0.838); max_df 0.5 (0.841); English stop words (0.841); 1-grams
or 1-3-grams (0.836 / 0.843); title bigrams only (0.837); "empty field" indicators (0.841); the
6-flag combination as one token (0.833); pairs over 13 presence flags (0.828); calibrated linear
SVM, ridge or SGD (0.845 / 0.840 / 0.841); elastic net via saga (0.834, 10x slower); balanced class
weights (0.840); rows weighted by 1/(employer group size) (0.847, per-employer F1 unchanged);
averaging two or three of these models (0.840-0.841). With the basis (see docs/scoring.md): fewer
components (100: 0.848, 300: 0.854), salary numbers, digit folding, stemming, boosted trees on LSA
components, character n-gram models averaged in: none better.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from jobsift.scoring.emscad import Dataset

TEXT_FIELDS = ("title", "company_profile", "description", "requirements", "benefits")
META_FIELDS = (
    "location",
    "department",
    "salary_range",
    "employment_type",
    "required_experience",
    "required_education",
    "industry",
    "function",
)
CATEGORICAL = ("employment_type", "required_experience", "required_education", "function", "industry")
#: Inverse regularisation of the logistic regression. Picked from {1, 4, 16, 64} on the same grouped
#: CV (F1 0.790 / 0.794 / 0.797 / 0.798): the choice is worth < 0.01 F1, so the optimism it adds is small.
#: With the flag pairs: C 4 / 16 / 64 give 0.843 / 0.844 / 0.836, and choosing C in inner grouped folds 0.844.
C = 16.0
#: meta_tokens are already one word each: split on whitespace only.
META_PATTERN = r"\S+"
#: Up to this many training rows the rescaled basis keeps every direction of the training text (an
#: exact SVD through the n x n matrix of row products: n^2 memory, n^3 time). Above it, the top
#: ``BASIS_MAX_COMPONENTS`` directions from a randomized SVD (the full EMSCAD file has 17,880 rows).
FULL_RANK_MAX_ROWS = 5000
BASIS_MAX_COMPONENTS = 1000
_NON_WORD = re.compile(r"[^a-z0-9]+")


def _slug(value: str) -> str:
    return _NON_WORD.sub("_", value.strip().lower()).strip("_") or "none"


def meta_tokens(row: Mapping[str, str]) -> str:
    """The categorical columns as one token each (``industry_computer_software``), location split in parts."""
    tokens = []
    for f in META_FIELDS:
        value = row.get(f) or ""
        tokens.append(f"{f}_{_slug(value)}")
        if f == "location":
            parts = [p for p in value.split(",")[:3]]
            tokens.extend(f"loc{i}_{_slug(p)}" for i, p in enumerate(parts))
    return " ".join(tokens)


def flags(row: Mapping[str, str]) -> dict[str, bool]:
    """The six yes/no facts of a posting: logo, questions, telecommuting, profile, salary, department given."""
    v = {k: (row.get(k) or "").strip() == "1" for k in ("telecommuting", "has_company_logo", "has_questions")}
    v["company_profile"] = bool((row.get("company_profile") or "").strip())
    v["salary_range"] = bool((row.get("salary_range") or "").strip())
    v["department"] = bool((row.get("department") or "").strip())
    return v


def flag_pairs(row: Mapping[str, str]) -> dict[str, float]:
    """One indicator per pair of flags for the pair's values, e.g. ``has_company_logo=1&has_questions=0``."""
    v = flags(row)
    keys = sorted(v)
    return {f"{a}={int(v[a])}&{b}={int(v[b])}": 1.0 for i, a in enumerate(keys) for b in keys[i + 1 :]}


def structured(row: Mapping[str, str]) -> dict[str, float]:
    """Flags, their pairs, one-hot categories and lengths of one EMSCAD row."""
    d: dict[str, float] = flag_pairs(row)
    for k in ("telecommuting", "has_company_logo", "has_questions"):
        d[k] = float((row.get(k) or "").strip() == "1")
    d["no_company_profile"] = float(not (row.get("company_profile") or "").strip())
    d["salary_given"] = float(bool((row.get("salary_range") or "").strip()))
    d["department_given"] = float(bool((row.get("department") or "").strip()))
    for k in CATEGORICAL:
        d[f"{k}={(row.get(k) or '').strip() or '?'}"] = 1.0
    loc = [p.strip() for p in (row.get("location") or "").split(",")]
    d[f"country={loc[0] or '?'}"] = 1.0
    d[f"state={loc[1] if len(loc) > 1 and loc[1] else '?'}"] = 1.0
    text = " ".join(row.get(f) or "" for f in TEXT_FIELDS)
    for f in (*TEXT_FIELDS, "salary_range", "location"):
        d[f"log_len_{f}"] = math.log1p(len(row.get(f) or ""))
    d["n_url"] = float(text.count("#URL_"))
    d["n_email"] = float(text.count("#EMAIL_"))
    d["n_phone"] = float(text.count("#PHONE_"))
    d["caps_ratio"] = sum(ch.isupper() for ch in text) / (1 + len(text))
    return d


class RescaledBasis:
    """The TF-IDF rows seen a second time: projected on the training rows' own SVD basis (LSA), each
    component scaled to at most 1 in absolute value on the training rows.

    Nothing new is read, but the penalty changes: in the raw TF-IDF the L2 penalty falls hardest on the
    directions the training text hardly varies along; after the rescaling every direction costs about
    the same, so a signal carried by a minor direction (a rare turn of phrase shared by scam postings)
    can be used. In effect a generalised ridge on the sparse blocks. There is no component count to
    tune: every direction with a non-null singular value is kept (more was always better: 100 < 300
    < 500 < all on the grouped CV).
    """

    def fit_transform(self, x: Any) -> np.ndarray:
        from scipy import sparse

        x = sparse.csr_matrix(x, dtype=np.float64)
        n = x.shape[0]
        self.components: Any = None
        if n <= FULL_RANK_MAX_ROWS:
            # Exact and cheap when rows << columns: the eigenvectors of X Xᵀ are X's left singular
            # vectors. Test rows are projected through their products with the training rows, so
            # the d-wide right singular vectors are never stored.
            w, u = np.linalg.eigh((x @ x.T).toarray())
            keep = w > 1e-9 * max(float(w.max(initial=0.0)), 1e-12)
            self.train = x
            self.weights = u[:, keep] / np.sqrt(w[keep])  # n x k
            z = np.asarray(x @ (x.T @ self.weights))
        else:
            from sklearn.decomposition import TruncatedSVD

            svd = TruncatedSVD(n_components=min(BASIS_MAX_COMPONENTS, min(x.shape) - 1), random_state=0)
            z = svd.fit_transform(x)
            self.components = svd.components_
        self.scale = 1.0 / np.maximum(np.abs(z).max(axis=0, initial=0.0), 1e-12)
        return np.asarray(z * self.scale)

    def transform(self, x: Any) -> np.ndarray:
        from scipy import sparse

        x = sparse.csr_matrix(x, dtype=np.float64)
        if self.components is not None:
            z = np.asarray(x @ self.components.T)
        else:
            z = np.asarray((x @ self.train.T) @ self.weights)
        return np.asarray(z * self.scale)


class FullModel:
    """Per-field TF-IDF + metadata tokens + structured fields and flag pairs → one L2 logistic regression,
    plus the TF-IDF blocks again in their rescaled SVD basis (``RescaledBasis``)."""

    def __init__(self, c: float = C) -> None:
        self.c = c

    def _matrix(self, rows: Sequence[Mapping[str, str]], fit: bool) -> Any:
        from scipy import sparse
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import MaxAbsScaler

        columns: dict[str, list[str]] = {f: [r.get(f) or "" for r in rows] for f in TEXT_FIELDS}
        columns["meta"] = [meta_tokens(r) for r in rows]
        if fit:
            self.vectorizers = {
                f: TfidfVectorizer(
                    ngram_range=(1, 2), min_df=2, max_features=20000, sublinear_tf=True, dtype=np.float32
                )
                for f in TEXT_FIELDS
            }
            self.vectorizers["meta"] = TfidfVectorizer(
                token_pattern=META_PATTERN, min_df=2, sublinear_tf=True, dtype=np.float32
            )
            self.dv = DictVectorizer()
            self.scaler = MaxAbsScaler()
        blocks = []
        for name, texts in columns.items():
            vec = self.vectorizers[name]
            try:
                blocks.append(vec.fit_transform(texts) if fit else vec.transform(texts))
            except ValueError:
                # A field empty in every training row (tiny inputs): contributes nothing.
                self.vectorizers[name] = _Empty()
                blocks.append(sparse.csr_matrix((len(rows), 0)))
        tfidf = sparse.hstack(blocks).tocsr()
        if fit:
            self.basis = RescaledBasis()
        rescaled = self.basis.fit_transform(tfidf) if fit else self.basis.transform(tfidf)
        s = [structured(r) for r in rows]
        blocks.append(sparse.csr_matrix(rescaled))
        blocks.append(
            self.scaler.fit_transform(self.dv.fit_transform(s)) if fit else self.scaler.transform(self.dv.transform(s))
        )
        return sparse.hstack(blocks).tocsr()

    def fit(self, data: Dataset) -> FullModel:
        from sklearn.linear_model import LogisticRegression

        self.lr = LogisticRegression(C=self.c, max_iter=5000).fit(self._matrix(data.rows, True), data.y)
        return self

    def predict_proba(self, rows: Sequence[Mapping[str, str]]) -> np.ndarray:
        return np.asarray(self.lr.predict_proba(self._matrix(rows, False))[:, 1])


class _Empty:
    """Stands in for a vectorizer whose field had no words at all in training."""

    def transform(self, texts: list[str]) -> Any:
        from scipy import sparse

        return sparse.csr_matrix((len(texts), 0))

    def fit_transform(self, texts: list[str]) -> Any:
        return self.transform(texts)
