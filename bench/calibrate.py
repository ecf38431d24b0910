"""Calibration of the ghost model on simulated outcomes: ECE and log-loss, learned vs default, and training time.

The simulated marketplace (``jobsift/simulate/market.py``) is drawn twice: a training market of about N
resolved outcomes and a held-out market of other clients (10,000 outcomes). The features are what
scoring stores at first sight (``build_features``). ``fit_ghost`` (logistic regression over the signals,
client-grouped 5-fold CV with inner folds choosing Platt or isotonic) is timed on the training set; the
learned model and the default weights are then compared on the held-out clients. ``--quick``: 2,000.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np


def _examples(outcomes: int, seed: int) -> Any:
    from jobsift.scoring import rules
    from jobsift.scoring.train import Examples
    from jobsift.simulate.market import examples, simulate

    # About 3 postings per client, 94% of them resolved (the rest censored).
    feats, y, groups = examples(simulate(max(10, int(outcomes / 2.8)), seed=seed))
    names = list(rules.GHOST_SIGNALS)
    x = np.asarray([[rules.ghost_vector(f)[n] for n in names] for f in feats], dtype=float)
    return Examples(x, np.asarray(y), groups, {"observed": len(y), "user": 0}, feats)


def run(quick: bool) -> list[dict[str, Any]]:
    import sklearn.isotonic
    import sklearn.linear_model  # noqa: F401 - imported before the clock starts

    from jobsift.scoring import calibration as cal
    from jobsift.scoring import rules
    from jobsift.scoring.train import fit_ghost

    held = _examples(2_000 if quick else 10_000, seed=1_000)
    names = list(rules.GHOST_SIGNALS)
    default_p = cal.sigmoid(
        cal.raw_logits(
            held.x, np.asarray([rules.DEFAULT_WEIGHTS[n] for n in names]), rules.DEFAULT_INTERCEPT, rules.MAX_SINGLE
        )
    )
    default = cal.metrics(held.y, default_p)
    records: list[dict[str, Any]] = []
    for size in (2_000,) if quick else (10_000, 100_000):
        train = _examples(size, seed=size)
        started = time.perf_counter()
        weights, intercept, calibration, cv = fit_ghost(train)
        took = time.perf_counter() - started
        z = cal.raw_logits(held.x, np.asarray([weights[n] for n in names]), intercept, rules.MAX_SINGLE)
        learned = cal.metrics(held.y, cal.apply_many(z, calibration))
        label = f"{len(train.y):,} outcomes, {len(set(train.groups)):,} clients"
        records += [
            {
                "name": f"calibrate/train_seconds/{size}",
                "value": round(took, 2),
                "unit": "s",
                "note": f"{label}; {calibration['method']} chosen; grouped CV ECE {cv['ece']}",
            },
            {
                "name": f"calibrate/ece/{size}",
                "value": learned["ece"],
                "unit": "",
                "baseline": default["ece"],
                "note": f"held-out {len(held.y):,} outcomes; baseline = default weights",
            },
            {
                "name": f"calibrate/log_loss/{size}",
                "value": learned["log_loss"],
                "unit": "",
                "baseline": default["log_loss"],
                "note": "held-out clients; baseline = default weights",
            },
            {
                "name": f"calibrate/roc_auc/{size}",
                "value": learned["roc_auc"],
                "unit": "",
                "baseline": default["roc_auc"],
                "note": f"brier skill {learned['brier_skill']} (default {default['brier_skill']})",
            },
        ]
    return records
