"""The ghost model learned and calibrated on outcomes: grouped CV, Platt/isotonic, exact explain."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from jobsift.scoring import calibration as cal
from jobsift.scoring import rules
from jobsift.scoring.flags.ghost import figure as ghost_figure
from jobsift.scoring.train import Examples, fit_ghost
from jobsift.simulate.market import examples, simulate

NAMES = list(rules.GHOST_SIGNALS)


def _examples(clients: int, seed: int) -> Examples:
    feats, y, groups = examples(simulate(clients, seed=seed))
    x = np.asarray([[rules.ghost_vector(f)[n] for n in NAMES] for f in feats], dtype=float)
    return Examples(x, np.asarray(y), groups, {"observed": len(y), "user": 0}, feats)


def _predict(ex: Examples, weights: dict[str, float], intercept: float, calibration: dict | None) -> np.ndarray:
    return np.asarray([ghost_figure(f, weights, intercept, calibration)[0] for f in ex.features])


def test_learned_model_is_calibrated_on_held_out_simulated_clients() -> None:
    train, held_out = _examples(500, seed=11), _examples(500, seed=12)
    assert not set(train.groups) & set(held_out.groups)
    weights, intercept, calibration, cv = fit_ghost(train)
    assert calibration["method"] in ("platt", "isotonic")
    assert (calibration["outcomes"], calibration["never_hired"]) == (len(train.y), int(train.y.sum()))
    assert calibration["clients"] == len(set(train.groups))
    learned = cal.metrics(held_out.y, _predict(held_out, weights, intercept, calibration))
    default = cal.metrics(held_out.y, _predict(held_out, rules.DEFAULT_WEIGHTS, rules.DEFAULT_INTERCEPT, None))
    assert learned["ece"] <= 0.05, learned
    assert learned["log_loss"] < default["log_loss"], (learned, default)
    # The grouped-CV figures recorded for the card say the same as the held-out clients.
    assert cv["ece"] <= 0.05
    assert {"log_loss", "brier", "brier_skill", "ece", "roc_auc", "reliability", "clients", "folds"} <= set(cv)
    assert sum(r["n"] for r in cv["reliability"]) == len(train.y)


def test_grouped_folds_never_put_a_client_in_both() -> None:
    ex = _examples(80, seed=13)
    g = np.asarray(ex.groups)
    folds = cal.group_folds(g, 5, seed=0)
    assert sorted(np.concatenate([te for _tr, te in folds]).tolist()) == list(range(len(g)))
    for tr, te in folds:
        assert not set(g[tr]) & set(g[te])
        assert len(te) > 0


@pytest.mark.parametrize(
    "calibration",
    [
        {"method": "platt", "a": 0.7, "b": 0.25},
        {"method": "isotonic", "x": [-3.0, -1.0, 0.0, 2.0], "y": [0.05, 0.2, 0.5, 0.9]},
    ],
)
def test_calibrated_ghost_keeps_explain_exact(calibration: dict) -> None:
    f = {
        "client_hire_rate": 0.0,
        "client_jobs_posted": 9,
        "client_jobs_with_hires": 0,
        "client_total_spent": 0,
        "days_since_client_activity": 40,
        "text_upfront_fee": 1,
    }
    p, reasons = ghost_figure(f, rules.DEFAULT_WEIGHTS, rules.DEFAULT_INTERCEPT, calibration)
    terms = [r.contribution for r in reasons if r.code.startswith("ghost.")]
    raw = rules.DEFAULT_INTERCEPT + sum(c for _n, _x, _w, c in rules.ghost_terms(f, rules.DEFAULT_WEIGHTS))
    if calibration["method"] == "platt":
        a, b = calibration["a"], calibration["b"]
        # Every contribution is scaled by a; the intercept becomes a*intercept + b; they sum to logit(p).
        assert math.isclose(a * rules.DEFAULT_INTERCEPT + b + sum(terms), rules.logit(p), abs_tol=1e-3)
        assert math.isclose(p, 1 / (1 + math.exp(-(a * raw + b))), abs_tol=1e-6)
    else:
        assert math.isclose(p, float(np.interp(raw, calibration["x"], calibration["y"])), abs_tol=1e-6)
        assert math.isclose(rules.DEFAULT_INTERCEPT + sum(terms), raw, abs_tol=1e-3)


def test_metrics_reliability_table_and_skill() -> None:
    y = np.array([0, 0, 1, 1, 1, 0, 1, 0])
    p = np.array([0.1, 0.2, 0.8, 0.9, 0.7, 0.3, 0.6, 0.4])
    m = cal.metrics(y, p)
    assert m["outcomes"] == 8
    assert m["roc_auc"] == 1.0
    assert m["brier_skill"] > 0
    assert sum(r["n"] for r in m["reliability"]) == 8
    assert all(0 <= r["predicted"] <= 1 and 0 <= r["observed"] <= 1 for r in m["reliability"])
    flat = cal.metrics(y, np.full(8, 0.5))
    assert flat["brier_skill"] == 0.0
    assert flat["ece"] == 0.0


def test_default_weights_are_the_documented_ones_not_fitted_to_the_simulator() -> None:
    """The defaults are the hand-set table of docs/scoring.md; nothing from the simulator goes into them."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "scoring.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| `(\w+)` \| [^|]+ \| (−?-?[\d.]+) \|", doc, re.M))
    documented = {k: float(v.replace("−", "-")) for k, v in table.items()}
    assert documented == rules.DEFAULT_WEIGHTS
    assert rules.DEFAULT_INTERCEPT == -1.6
    learned, _b, _c, _m = fit_ghost(_examples(200, seed=14))
    assert learned != rules.DEFAULT_WEIGHTS
