"""Calibration of the ghost figure on observed outcomes, and the figures that say how good it is.

The ghost model's raw log-odds is ``z = intercept + Σ clip(w_i·x_i, −1.5, +1.5)`` (rules.py). A
calibration maps ``z`` to the probability shown:

* ``platt``: ``p = sigmoid(a·z + b)``. A linear map of the log-odds, so every signal's contribution is
  scaled by ``a`` and the intercept becomes ``a·intercept + b``: ``explain`` stays an exact sum.
* ``isotonic``: ``p = interp(z, x, y)``, a non-decreasing step curve through the points ``x``/``y``
  (ordered by ``z``, so the ranking of postings is kept); contributions stay in raw log-odds and
  ``explain`` shows the curve's value at their sum.

Stored in the manifest's ``calibration`` (GhostModel.calibration) with ``method``, ``outcomes``,
``clients``, ``never_hired`` and the parameters (``a``, ``b`` or ``x``, ``y``).

Metrics (all from client-grouped cross-validation when training): log-loss, Brier score and its
skill against always predicting the base rate, expected calibration error over 10 equal-width bins
(Σ n_bin/N · |mean predicted − observed share|) with the reliability table, ROC-AUC.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

EPS = 1e-4
BINS = 10


def clip_p(p: np.ndarray) -> np.ndarray:
    clipped: np.ndarray = np.clip(p, EPS, 1 - EPS)
    return clipped


def sigmoid(z: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-z))
    return out


def linear_map(cal: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """(a, b) when the calibration is a linear map of the log-odds (Platt), else None."""
    if cal is not None and cal.get("method") == "platt":
        return float(cal["a"]), float(cal["b"])
    return None


def apply(z: float, cal: Mapping[str, Any] | None) -> float:
    """The probability shown for raw log-odds ``z``."""
    return float(apply_many(np.asarray([z], dtype=float), cal)[0])


def apply_many(z: np.ndarray, cal: Mapping[str, Any] | None) -> np.ndarray:
    if cal is None:
        return sigmoid(z)
    method = cal.get("method")
    if method == "platt":
        return sigmoid(float(cal["a"]) * z + float(cal["b"]))
    if method == "isotonic":
        xs, ys = np.asarray(cal["x"], dtype=float), np.asarray(cal["y"], dtype=float)
        return clip_p(np.interp(z, xs, ys))
    raise ValueError(f"unknown calibration method {method!r}")


def fit_platt(z: np.ndarray, y: np.ndarray) -> dict[str, float]:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e6, max_iter=1000).fit(z.reshape(-1, 1), y)
    return {"a": round(float(lr.coef_[0][0]), 6), "b": round(float(lr.intercept_[0]), 6)}


def fit_isotonic(z: np.ndarray, y: np.ndarray, max_points: int = 200) -> dict[str, list[float]]:
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(out_of_bounds="clip", y_min=EPS, y_max=1 - EPS).fit(z, y)
    xs, ys = np.asarray(iso.X_thresholds_, dtype=float), np.asarray(iso.y_thresholds_, dtype=float)
    if len(xs) > max_points:  # keep the manifest small: the curve at evenly spaced quantiles
        idx = np.unique(np.linspace(0, len(xs) - 1, max_points).round().astype(int))
        xs, ys = xs[idx], ys[idx]
    return {"x": [round(float(v), 6) for v in xs], "y": [round(float(v), 6) for v in ys]}


def fit(method: str, z: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    params: dict[str, Any] = fit_platt(z, y) if method == "platt" else fit_isotonic(z, y)
    return {"method": method, **params}


def reliability(y: np.ndarray, p: np.ndarray, bins: int = BINS) -> list[dict[str, Any]]:
    """Predicted vs observed per equal-width bin of the predicted probability (empty bins left out)."""
    idx = np.minimum((p * bins).astype(int), bins - 1)
    out = []
    for b in range(bins):
        mask = idx == b
        n = int(mask.sum())
        if n:
            out.append(
                {
                    "bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}",
                    "n": n,
                    "predicted": round(float(p[mask].mean()), 4),
                    "observed": round(float(y[mask].mean()), 4),
                }
            )
    return out


def metrics(y: Sequence[int] | np.ndarray, p: Sequence[float] | np.ndarray) -> dict[str, Any]:
    """Log-loss, Brier (and skill vs the base rate), ECE with its 10-bin table, ROC-AUC."""
    ya = np.asarray(y, dtype=float)
    pa = clip_p(np.asarray(p, dtype=float))
    n = len(ya)
    if n == 0:
        return {"outcomes": 0}
    base = float(ya.mean())
    brier = float(np.mean((pa - ya) ** 2))
    brier_base = base * (1 - base)
    table = reliability(ya, pa)
    ece = sum(r["n"] / n * abs(r["predicted"] - r["observed"]) for r in table)
    auc: float | None = None
    if 0 < base < 1:
        from sklearn.metrics import roc_auc_score

        auc = round(float(roc_auc_score(ya, pa)), 4)
    log_loss = float(-np.mean(ya * np.log(pa) + (1 - ya) * np.log(1 - pa)))
    return {
        "outcomes": n,
        "never_hired_share": round(base, 4),
        "log_loss": round(log_loss, 4),
        "brier": round(brier, 4),
        "brier_skill": round(1 - brier / brier_base, 4) if brier_base > 0 else None,
        "ece": round(ece, 4),
        "roc_auc": auc,
        "reliability": table,
    }


def raw_logits(x: np.ndarray, w: np.ndarray, intercept: float, cap: float) -> np.ndarray:
    """The rules' capped log-odds sum for every row of ``x`` (signals in rules.GHOST_SIGNALS order)."""
    z: np.ndarray = intercept + np.clip(x * w, -cap, cap).sum(axis=1)
    return z


def fit_weights(x: np.ndarray, y: np.ndarray, c: float = 1.0) -> tuple[np.ndarray, float]:
    """Logistic regression over the signals (L2, C=1); a signal never seen non-zero keeps weight 0."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=c, max_iter=2000).fit(x, y)
    return lr.coef_[0].copy(), float(lr.intercept_[0])


def grouped_cv(
    x: np.ndarray,
    y: np.ndarray,
    groups: Sequence[str],
    *,
    cap: float,
    folds: int = 5,
    seed: int = 0,
) -> dict[str, Any]:
    """Out-of-fold predictions by client-grouped folds (no client in both), for each calibration.

    In each outer fold the weights are fitted on the training clients; the calibrators are fitted on
    those clients' own out-of-fold log-odds (inner grouped folds), never on the test fold. Returns the
    out-of-fold probabilities per method ("none", "platt", "isotonic"), their metrics, the chosen
    method (lowest log-loss) and the out-of-fold raw log-odds of the whole set (to fit the final one).
    """
    g = np.asarray(groups)
    k = max(2, min(folds, len(set(g.tolist()))))
    oof_z = np.zeros(len(y))
    preds = {m: np.zeros(len(y)) for m in ("none", "platt", "isotonic")}
    for train_idx, test_idx in group_folds(g, k, seed):
        w, b = fit_weights(x[train_idx], y[train_idx])
        z_test = raw_logits(x[test_idx], w, b, cap)
        oof_z[test_idx] = z_test
        inner_z = _inner_oof(x[train_idx], y[train_idx], g[train_idx], cap, seed)
        preds["none"][test_idx] = sigmoid(z_test)
        for method in ("platt", "isotonic"):
            preds[method][test_idx] = apply_many(z_test, fit(method, inner_z, y[train_idx]))
    scored = {m: metrics(y, p) for m, p in preds.items()}
    chosen = min(("platt", "isotonic"), key=lambda m: scored[m]["log_loss"])
    return {"folds": k, "predictions": preds, "metrics": scored, "chosen": chosen, "oof_logits": oof_z}


def group_folds(groups: np.ndarray, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``k`` (train, test) index pairs with every group wholly on one side: groups are shuffled and dealt
    to folds in turn (O(n); sklearn's StratifiedGroupKFold is O(groups·folds) in Python, minutes at 100k)."""
    _uniq, inverse = np.unique(groups, return_inverse=True)
    order = np.random.default_rng(seed).permutation(len(_uniq))
    fold_of_group = np.empty(len(_uniq), dtype=int)
    fold_of_group[order] = np.arange(len(_uniq)) % k
    fold = fold_of_group[inverse]
    idx = np.arange(len(groups))
    return [(idx[fold != f], idx[fold == f]) for f in range(k)]


def _inner_oof(x: np.ndarray, y: np.ndarray, g: np.ndarray, cap: float, seed: int) -> np.ndarray:
    k = max(2, min(3, len(set(g.tolist()))))
    out = np.zeros(len(y))
    for tr, te in group_folds(g, k, seed + 1):
        w, b = fit_weights(x[tr], y[tr])
        out[te] = raw_logits(x[te], w, b, cap)
    return out


def summary_line(m: Mapping[str, Any]) -> str:
    """One line of the figures, for the CLI and the model card."""

    def f(v: Any) -> str:
        return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)

    return (
        f"log-loss {f(m.get('log_loss'))}, Brier {f(m.get('brier'))} (skill {f(m.get('brier_skill'))} vs the "
        f"base rate {f(m.get('never_hired_share'))}), ECE {f(m.get('ece'))}, ROC-AUC {f(m.get('roc_auc'))}"
    )
