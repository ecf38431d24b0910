"""EMSCAD (fake job postings) data: reading, employer groups, the models, grouped cross-validation.

Two models are built from EMSCAD-format rows:

* ``text model``: word 1-2-gram TF-IDF of title + description + requirements + benefits →
  logistic regression, sigmoid-calibrated on employer-grouped folds. It reads only what a job feed
  also has, so it is the part the ghost score uses on real postings.
* ``full model``: for EMSCAD-format input (``jobsift evaluate``), the text model's out-of-fold score
  stacked with the structured EMSCAD fields (company logo, screening questions, telecommuting,
  salary given, empty company profile, employment type, experience, education, function, country,
  field lengths, #URL/#EMAIL/#PHONE placeholders) in a gradient-boosted tree model.

Employer groups: rows with a company profile are grouped by it; rows without one are grouped by
near-duplicate text (SimHash within 3 bits), so an employer's postings never sit on both sides of
a fold.
"""

from __future__ import annotations

import csv
import hashlib
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from jobsift.errors import ConfigError
from jobsift.scoring.reposts import Entry, RepostIndex, fingerprint
from jobsift.scoring.text import emscad_text

REQUIRED = ("title", "description", "fraudulent")
ALL_FIELDS = ("title", "company_profile", "description", "requirements", "benefits")
CATEGORICAL = ("employment_type", "required_experience", "required_education", "function")


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


def employer_groups(rows: Sequence[dict[str, str]]) -> np.ndarray:
    """One group id per row: the company profile, else a cluster of near-identical texts."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index = RepostIndex()
    for i, r in enumerate(rows):
        if not (r.get("company_profile") or "").strip():
            fp = fingerprint(r.get("title") or "", r.get("description"))
            if fp is not None:
                index.add(Entry(id=i, fingerprint=fp, source="emscad"))
    entries = list(index._entries)
    for entry, near in zip(entries, index.near_many([e.fingerprint for e in entries]), strict=True):
        for other in near:
            parent[find(entry.id)] = find(other.id)
    out = []
    for i, r in enumerate(rows):
        profile = " ".join((r.get("company_profile") or "").split())
        if profile:
            out.append("p:" + hashlib.sha256(profile.encode()).hexdigest()[:16])
        else:
            out.append(f"t:{find(i)}")
    return np.asarray(out)


def structured(row: dict[str, str]) -> dict[str, float]:
    d: dict[str, float] = {}
    for k in ("telecommuting", "has_company_logo", "has_questions"):
        d[k] = float((row.get(k) or "").strip() == "1")
    d["no_company_profile"] = float(not (row.get("company_profile") or "").strip())
    d["salary_given"] = float(bool((row.get("salary_range") or "").strip()))
    d["department_given"] = float(bool((row.get("department") or "").strip()))
    for k in CATEGORICAL:
        d[f"{k}={(row.get(k) or '').strip() or '?'}"] = 1.0
    d[f"country={(row.get('location') or '').split(',')[0].strip() or '?'}"] = 1.0
    text = " ".join(row.get(f) or "" for f in ALL_FIELDS)
    for f in (*ALL_FIELDS, "salary_range"):
        d[f"log_len_{f}"] = math.log1p(len(row.get(f) or ""))
    d["n_url"] = float(text.count("#URL_"))
    d["n_email"] = float(text.count("#EMAIL_"))
    d["n_phone"] = float(text.count("#PHONE_"))
    d["caps_ratio"] = sum(ch.isupper() for ch in text) / (1 + len(text))
    return d


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


class FullModel:
    """Text score (out-of-fold while training) stacked with structured fields in boosted trees."""

    def fit(self, data: Dataset) -> FullModel:
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.feature_extraction import DictVectorizer

        texts = [emscad_text(r) for r in data.rows]
        oof = np.zeros(len(texts))
        for tr, te in grouped_splits(data.y, data.groups, 4, seed=1):
            m = text_pipeline().fit([texts[i] for i in tr], data.y[tr])
            oof[te] = m.predict_proba([texts[i] for i in te])[:, 1]
        self.text = text_pipeline().fit(texts, data.y)
        self.dv = DictVectorizer(sparse=False)
        s = self.dv.fit_transform([structured(r) for r in data.rows])
        self.trees = HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.05, max_leaf_nodes=15, l2_regularization=1.0, random_state=0
        )
        self.trees.fit(np.column_stack([oof, s]), data.y)
        return self

    def predict_proba(self, rows: Sequence[dict[str, str]]) -> np.ndarray:
        p = self.text.predict_proba([emscad_text(r) for r in rows])[:, 1]
        s = self.dv.transform([structured(r) for r in rows])
        return np.asarray(self.trees.predict_proba(np.column_stack([p, s]))[:, 1])


class BaselineModel:
    """The plain baseline: default TF-IDF of all text fields + logistic regression."""

    def fit(self, data: Dataset) -> BaselineModel:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        self.m = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
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
        grouping="employer (company profile, else near-duplicate text)",
        groups=len(set(data.groups.tolist())),
        seed=seed,
    )
    return out
