"""EMSCAD (fake job postings) data: reading, employer groups, the models, grouped cross-validation.

Three models are built from EMSCAD-format rows:

* ``text``: word 1-2-gram TF-IDF of title + description + requirements + benefits → logistic
  regression, sigmoid-calibrated on employer-grouped folds. It reads only what a job feed also has,
  so it is the part the ghost score uses on real postings (shipped in the artifact).
* ``full``: for EMSCAD-format input (``jobsift evaluate``), every column: per-field TF-IDF, metadata
  tokens and structured fields in one logistic regression (``emscad_model``).
* ``baseline``: the plain reference, word 1-2-gram TF-IDF of all text + logistic regression.

Employer groups (``employer_groups``) keep every employer, and every scam crew reusing a template,
on one side of each fold.
"""

from __future__ import annotations

import csv
import hashlib
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from jobsift.errors import ConfigError
from jobsift.fingerprint import fingerprint
from jobsift.scoring.emscad_model import FullModel
from jobsift.scoring.reposts import Entry, RepostIndex
from jobsift.scoring.text import emscad_text

REQUIRED = ("title", "description", "fraudulent")
ALL_FIELDS = ("title", "company_profile", "description", "requirements", "benefits")


@dataclass
class Dataset:
    rows: list[dict[str, str]]
    y: np.ndarray
    groups: np.ndarray

    def subset(self, idx: Sequence[int] | np.ndarray) -> Dataset:
        ix = np.asarray(idx)
        return Dataset([self.rows[i] for i in ix], self.y[ix], self.groups[ix])


def read_emscad(path: Path, limit: int | None = None) -> Dataset:
    """Read an EMSCAD-format CSV (the public fake_job_postings.csv columns)."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise ConfigError(f"{path}: not an EMSCAD-format CSV (missing columns {', '.join(missing)})")
            rows = [dict(r) for r in reader]
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    rows = [r for r in rows if (r.get("fraudulent") or "").strip() in ("0", "1")][:limit]
    y = np.asarray([int(r["fraudulent"]) for r in rows], dtype=int)
    return Dataset(rows, y, employer_groups(rows))


#: EMSCAD replaces URLs, emails and phone numbers by salted hashes: the same token is the same
#: address, so the same employer (or the same scam crew).
_PLACEHOLDER = re.compile(r"#(?:URL|EMAIL|PHONE)_[0-9a-f]{16,}#")
#: Boilerplate shorter than this (e.g. "Competitive salary") is shared by unrelated employers.
MIN_SHARED_CHARS = 40
LINK_FIELDS = ("description", "requirements", "benefits")


def _norm(text: str | None) -> str:
    return " ".join((text or "").lower().split())


def employer_groups(rows: Sequence[dict[str, str]]) -> np.ndarray:
    """One employer id per row, so that an employer never sits on both sides of a fold.

    EMSCAD has no employer column (``source`` and ``orig_job_id`` say which sample a row came from,
    not who posted it). Two rows are the same employer when they share any of: the company profile;
    a description, requirements or benefits text of 40+ characters, word for word; an anonymised
    URL/email/phone token; or a near-identical title + description (SimHash within 3 bits). Groups are
    the connected components of that relation, so a scam crew reusing one template is one group.
    """
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    first: dict[str, int] = {}
    index = RepostIndex()
    entries: list[Entry] = []
    for i, r in enumerate(rows):
        keys = []
        profile = _norm(r.get("company_profile"))
        if profile:
            keys.append("p:" + profile)
        for f in LINK_FIELDS:
            v = _norm(r.get(f))
            if len(v) >= MIN_SHARED_CHARS:
                keys.append(f"{f[0]}:{v}")
        keys.extend(
            m.group(0) for f in ("company_profile", *LINK_FIELDS) for m in _PLACEHOLDER.finditer(r.get(f) or "")
        )
        for k in keys:
            union(i, first.setdefault(k, i))
        fp = fingerprint(r.get("title") or "", r.get("description"))
        if fp is not None:
            entries.append(Entry(id=i, fingerprint=fp, source="emscad"))
            index.add(entries[-1])
    for entry, near in zip(entries, index.near_many([e.fingerprint for e in entries]), strict=True):
        for other in near:
            union(entry.id, other.id)
    roots = [find(i) for i in range(len(rows))]
    # A stable id: the hash of the group's first row's title + description (not its position).
    names: dict[int, str] = {}
    for i, root in enumerate(roots):
        if root not in names:
            key = f"{rows[i].get('title') or ''}\n{rows[i].get('description') or ''}\n{i}"
            names[root] = "g:" + hashlib.sha256(key.encode()).hexdigest()[:16]
    return np.asarray([names[r] for r in roots])


def text_pipeline(calibrate_splits: list[Any] | None = None) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    lr = LogisticRegression(C=8.0, max_iter=3000)
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=20000, sublinear_tf=True, dtype=np.float32)
    if calibrate_splits is None:
        return make_pipeline(vec, lr)
    return make_pipeline(vec, CalibratedClassifierCV(lr, method="sigmoid", cv=calibrate_splits))


def grouped_splits(
    y: np.ndarray, groups: np.ndarray, n_splits: int, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedGroupKFold

    n = min(n_splits, len(set(groups.tolist())))
    cv = StratifiedGroupKFold(n_splits=n, shuffle=True, random_state=seed)
    return list(cv.split(np.zeros(len(y)), y, groups))


def fit_text_model(data: Dataset, calibrated: bool = True) -> Any:
    texts = [emscad_text(r) for r in data.rows]
    splits = grouped_splits(data.y, data.groups, 3, seed=1) if calibrated else None
    if splits is not None and any(len(set(data.y[tr].tolist())) < 2 for tr, _ in splits):
        # Too few employers to calibrate on grouped folds with both classes: plain stratified folds.
        from sklearn.model_selection import StratifiedKFold

        splits = list(StratifiedKFold(3, shuffle=True, random_state=1).split(texts, data.y))
    return text_pipeline(splits).fit(texts, data.y)


class BaselineModel:
    """The plain baseline: word 1-2-gram TF-IDF of all text fields + default logistic regression, threshold 0.5."""

    def fit(self, data: Dataset) -> BaselineModel:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        self.m = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=1000))
        self.m.fit([" ".join(r.get(f) or "" for f in ALL_FIELDS) for r in data.rows], data.y)
        return self

    def predict_proba(self, rows: Sequence[dict[str, str]]) -> np.ndarray:
        return np.asarray(self.m.predict_proba([" ".join(r.get(f) or "" for f in ALL_FIELDS) for r in rows])[:, 1])


class TextModel:
    """The text model alone, as scoring uses it on feed postings."""

    def fit(self, data: Dataset) -> TextModel:
        self.m = fit_text_model(data)
        return self

    def predict_proba(self, rows: Sequence[dict[str, str]]) -> np.ndarray:
        return np.asarray(self.m.predict_proba([emscad_text(r) for r in rows])[:, 1])


MODELS: dict[str, Callable[[], Any]] = {"full": FullModel, "text": TextModel, "baseline": BaselineModel}


def metrics(y: np.ndarray, p: np.ndarray, *, threshold: float = 0.5, prevalence: float | None = None) -> dict[str, Any]:
    """Fraud-class precision, recall, F1, PR-AUC, ROC-AUC; ``prevalence`` re-weights the classes.

    Re-weighting gives each fraud row weight P/π and each real row (1-P)/(1-π), π the file's own
    fraud share, which is what the metrics would be at base rate P if the errors stayed the same
    per class. Recall and ROC-AUC do not depend on prevalence; precision, F1 and PR-AUC do.
    """
    from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score, roc_auc_score

    pi = float(y.mean())
    w = None
    if prevalence is not None:
        w = np.where(y == 1, prevalence / pi, (1 - prevalence) / (1 - pi))
    pred = (p >= threshold).astype(int)
    return {
        "rows": len(y),
        "fraud_share": round(pi, 4),
        "prevalence": prevalence if prevalence is not None else round(pi, 4),
        "threshold": threshold,
        "precision": round(float(precision_score(y, pred, sample_weight=w, zero_division=0)), 4),
        "recall": round(float(recall_score(y, pred, sample_weight=w, zero_division=0)), 4),
        "f1": round(float(f1_score(y, pred, sample_weight=w, zero_division=0)), 4),
        "pr_auc": round(float(average_precision_score(y, p, sample_weight=w)), 4),
        "roc_auc": round(float(roc_auc_score(y, p, sample_weight=w)), 4),
    }


def cross_validate(
    data: Dataset, model: str = "full", *, folds: int = 5, seed: int = 0, prevalence: float | None = None
) -> dict[str, Any]:
    """Out-of-fold predictions over employer-grouped folds, then the metrics on all rows."""
    p = np.zeros(len(data.y))
    splits = grouped_splits(data.y, data.groups, folds, seed)
    for tr, te in splits:
        m = MODELS[model]().fit(data.subset(tr))
        p[te] = m.predict_proba([data.rows[i] for i in te])
    out = metrics(data.y, p, prevalence=prevalence)
    out.update(
        model=model,
        folds=len(splits),
        grouping="employer (shared company profile, boilerplate text, URL/email/phone token or near-duplicate text)",
        groups=len(set(data.groups.tolist())),
        seed=seed,
    )
    return out
