"""Training: the scam-text model from an EMSCAD-format CSV, the ghost weights from outcomes and labels.

Examples (``collect_examples``), one per posting, with the features of its **first** score (what was
known when it was first seen, before its outcome could show in its fields):
* observed outcomes (labels with origin ``observed``, written when re-observation resolves a
  posting): ``closed_no_hire`` → 1 (never hired), ``hired`` → 0. ``unknown`` and ``gone`` are never
  labels;
* user verdicts (``jobsift label``, origin ``user``): ghost and scam → 1; ok and hired → 0 (lowball is
  not a ghost label). An observed outcome wins over a user verdict on the same posting.

The ghost weights are fitted by logistic regression over the rule signals ``x_i`` (rules.ghost_vector),
then evaluated with the caps kept (each contribution clipped to ±1.5, as scoring does) by client-grouped
cross-validation (calibration.grouped_cv: no client in both training and test folds; postings without
a client are their own group). Platt or isotonic calibration is chosen by the same CV (lower
log-loss) and fitted on the out-of-fold log-odds. Below ``MIN_EXAMPLES`` examples, or
``MIN_PER_CLASS`` of either class, the current model is kept and the reason given.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine

from jobsift.scoring import calibration as cal
from jobsift.scoring import rules
from jobsift.scoring.artifact_save import save_artifact
from jobsift.scoring.emscad import Dataset, cross_validate, fit_text_model, read_emscad
from jobsift.scoring.flags.ghost import figure as ghost_figure
from jobsift.scoring.model import GhostModel
from jobsift.scoring.model_card import model_card, outcome_card
from jobsift.store.labels import all_labels, unscored_label_count
from jobsift.store.scores import first_score_features

MIN_EXAMPLES = 200
MIN_PER_CLASS = 30
POSITIVE = {"ghost": 1, "scam": 1, "ok": 0, "hired": 0}
OBSERVED = {"closed_no_hire": 1, "hired": 0}


@dataclass
class TrainReport:
    path: Path | None = None
    version: str = ""
    examples: int = 0
    positives: int = 0
    learned_weights: bool = False
    text_rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    calibration: dict[str, Any] | None = None
    outcome_metrics: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    metrics: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class Examples:
    x: np.ndarray
    y: np.ndarray
    groups: list[str]
    counts: dict[str, int]
    features: list[dict[str, Any]] = field(default_factory=list)

    def __iter__(self) -> Any:  # (x, y, counts), as callers unpacked it before groups existed
        return iter((self.x, self.y, self.counts))


def unscored_labels(engine: Engine) -> int:
    """User labels on postings never scored: they have no features to learn from yet."""
    with engine.connect() as conn:
        return unscored_label_count(conn)


def collect_examples(engine: Engine) -> Examples:
    """(X, y, client groups) over the ghost signals from observed outcomes and user labels."""
    names = list(rules.GHOST_SIGNALS)
    with engine.connect() as conn:
        feats = first_score_features(conn)
        stored = all_labels(conn)
    user: dict[int, int] = {}
    observed: dict[int, int] = {}
    for r in stored:
        if r.origin == "observed" and r.label in OBSERVED:
            observed[r.posting_id] = OBSERVED[r.label]
        elif r.origin != "observed" and r.label in POSITIVE:
            user[r.posting_id] = POSITIVE[r.label]  # the latest label wins
    xs: list[list[float]] = []
    ys: list[int] = []
    groups: list[str] = []
    kept: list[dict[str, Any]] = []
    counts = {"observed": 0, "user": 0}
    for pid in sorted({*observed, *user}):
        if pid not in feats:
            continue
        f, client = feats[pid]
        kind = "observed" if pid in observed else "user"
        counts[kind] += 1
        vec = rules.ghost_vector(f)
        xs.append([vec[n] for n in names])
        ys.append(observed[pid] if kind == "observed" else user[pid])
        groups.append(f"client:{client}" if client is not None else f"posting:{pid}")
        kept.append(f)
    x = np.asarray(xs, dtype=float).reshape(-1, len(names))
    return Examples(x, np.asarray(ys, dtype=int), groups, counts, kept)


def too_few(y: np.ndarray) -> str | None:
    """Why these examples cannot train a model, or None."""
    pos = int(y.sum())
    neg = len(y) - pos
    if len(y) < MIN_EXAMPLES or pos < MIN_PER_CLASS or neg < MIN_PER_CLASS:
        return (
            f"{len(y)} resolved examples ({pos} never hired, {neg} hired); training needs at least "
            f"{MIN_EXAMPLES} with {MIN_PER_CLASS} of each: kept the current ghost model"
        )
    return None


def fit_ghost(
    ex: Examples,
    *,
    folds: int = 5,
    seed: int = 0,
) -> tuple[dict[str, float], float, dict[str, Any], dict[str, Any]]:
    """(weights, intercept, calibration, grouped-CV metrics) from examples that are enough."""
    names = list(rules.GHOST_SIGNALS)
    cv = cal.grouped_cv(ex.x, ex.y, ex.groups, cap=rules.MAX_SINGLE, folds=folds, seed=seed)
    w, b = cal.fit_weights(ex.x, ex.y)
    # A signal never non-zero in the examples: the data says nothing about it, so it keeps its default.
    weights = {n: round(float(w[i]), 4) if ex.x[:, i].any() else rules.DEFAULT_WEIGHTS[n] for i, n in enumerate(names)}
    method = cv["chosen"]
    calibration = cal.fit(method, cv["oof_logits"], ex.y)
    never = int(ex.y.sum())
    calibration.update(
        outcomes=len(ex.y),
        clients=len(set(ex.groups)),
        never_hired=never,
        observed=ex.counts.get("observed", 0),
        user_labels=ex.counts.get("user", 0),
    )
    chosen = cv["metrics"][method]
    metrics = {
        "method": method,
        "folds": cv["folds"],
        "clients": len(set(ex.groups)),
        **chosen,
        "uncalibrated": {k: v for k, v in cv["metrics"]["none"].items() if k != "reliability"},
        "other_method": {
            k: v for k, v in cv["metrics"]["isotonic" if method == "platt" else "platt"].items() if k != "reliability"
        },
    }
    return weights, round(b, 4), calibration, metrics


def train(
    engine: Engine | None,
    out_root: Path,
    *,
    emscad: Path | None,
    evaluate_folds: int = 5,
    full_metrics: bool = False,
    current: GhostModel | None = None,
    seed: int = 0,
) -> TrainReport:
    """Train and write a new versioned artifact under ``out_root``; returns what was done.

    Nothing is written when there is neither an EMSCAD CSV nor enough outcomes (``report.path`` None).
    ``current``: the model in use, whose ghost weights and calibration are kept when outcomes are too few.
    """
    started = time.perf_counter()
    report = TrainReport()
    keep = current
    payload: dict[str, Any] = {
        "ghost_weights": dict(keep.weights if keep else rules.DEFAULT_WEIGHTS),
        "ghost_intercept": keep.intercept if keep else rules.DEFAULT_INTERCEPT,
    }
    calibration = keep.calibration if keep else None
    if keep is not None and keep.text is not None and emscad is None:
        payload["text"], payload["text_prior"] = keep.text, keep.text_prior
    training: dict[str, Any] = {}
    if emscad is not None:
        data: Dataset = read_emscad(emscad)
        payload["text"] = fit_text_model(data)
        payload["text_prior"] = round(float(data.y.mean()), 4)
        report.text_rows = len(data.y)
        training["text model"] = (
            f"{emscad.name}: {len(data.y)} rows, {int(data.y.sum())} fraudulent, "
            f"{len(set(data.groups.tolist()))} employer groups"
        )
        if evaluate_folds:
            report.metrics["text model (used on feed postings)"] = cross_validate(data, "text", folds=evaluate_folds)
            if full_metrics:
                full_name = "full EMSCAD model (per-field TF-IDF, rescaled basis, structured fields)"
                report.metrics[full_name] = cross_validate(data, "full", folds=evaluate_folds)
                report.metrics["baseline (word 1-2-gram TF-IDF + logistic regression)"] = cross_validate(
                    data, "baseline", folds=evaluate_folds
                )
    if engine is not None:
        ex = collect_examples(engine)
        report.examples, report.positives, report.counts = len(ex.y), int(ex.y.sum()), dict(ex.counts)
        unscored = unscored_labels(engine)
        if unscored:
            report.notes.append(f"{unscored} labelled postings were never scored (run 'jobsift score'); skipped")
        why = too_few(ex.y)
        if why is None:
            weights, intercept, calibration, om = fit_ghost(ex, folds=max(2, evaluate_folds or 5), seed=seed)
            payload["ghost_weights"], payload["ghost_intercept"] = weights, intercept
            report.learned_weights = True
            report.outcome_metrics = om
            training["ghost weights"] = (
                f"{len(ex.y)} examples from the store ({ex.counts['observed']} observed outcomes, "
                f"{ex.counts['user']} user labels), {int(ex.y.sum())} never hired, {om['clients']} clients; "
                f"calibration {om['method']} (chosen by client-grouped CV)"
            )
        else:
            report.notes.append(why)
            training["ghost weights"] = (
                f"kept from {keep.version if keep else 'the documented defaults'} ({why.split(';')[0]})"
            )
            if emscad is None:
                report.seconds = round(time.perf_counter() - started, 3)
                return report
    else:
        training["ghost weights"] = "documented defaults (no store)"
    report.calibration = calibration
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    report.version = f"ghost-{stamp}"
    metrics = {k: {kk: vv for kk, vv in v.items() if kk != "grouping"} for k, v in report.metrics.items()}
    if report.outcome_metrics:
        metrics["ghost on outcomes (client-grouped CV)"] = report.outcome_metrics
    card = model_card(report.version, training, report.metrics, payload["ghost_weights"], payload["ghost_intercept"])
    card += outcome_card(report.outcome_metrics, calibration, min_examples=MIN_EXAMPLES, min_per_class=MIN_PER_CLASS)
    report.path = save_artifact(
        out_root / report.version,
        version=report.version,
        payload=payload,
        features=list(rules.GHOST_SIGNALS),
        metrics=metrics,
        training=training,
        card=card,
        calibration=calibration,
    )
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def evaluate_outcomes(engine: Engine, model: GhostModel) -> dict[str, Any]:
    """The model's ghost figure against the store's resolved outcomes (and labels), as scoring computes it.

    In-sample for a model trained on this store (its card has the grouped-CV figures); out-of-sample
    for the shipped defaults, which never saw these postings.
    """
    ex = collect_examples(engine)
    probs = [ghost_figure(f, model.weights, model.intercept, model.calibration)[0] for f in ex.features]
    out: dict[str, Any] = {
        "model": model.version,
        "calibrated": model.calibrated,
        "examples": {"observed": ex.counts["observed"], "user": ex.counts["user"]},
        "clients": len(set(ex.groups)),
        "never_hired": int(ex.y.sum()),
    }
    out.update(cal.metrics(ex.y, probs))
    why = too_few(ex.y)
    if why:
        out["note"] = why.split(";")[0] + f"; training needs {MIN_EXAMPLES} ({MIN_PER_CLASS} of each class)"
    return out
