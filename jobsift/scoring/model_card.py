"""The model card written beside each trained artifact: what it does, its data, metrics and limits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from jobsift.scoring import calibration as cal


def model_card(
    version: str, training: dict[str, Any], metrics: dict[str, Any], weights: dict[str, float], intercept: float
) -> str:
    lines = [
        f"# Model card: {version}",
        "",
        f"Created {datetime.now(UTC).date().isoformat()} by `jobsift train` / `scripts/train_default_model.py`.",
        "",
        "## What it does",
        "Gives the ghost figure: how likely a job posting is never to lead to a hire (the `ghost` flag). It is",
        "shown as a probability only when this artifact's manifest has a `calibration` (fitted on observed",
        "outcomes, with the figures below); with the documented default weights it is a risk level (high /",
        "medium / low), not a measured probability.",
        "Two parts: a scam-language text model (TF-IDF 1-2-grams → logistic regression, sigmoid-calibrated on",
        "employer-grouped folds), and the weights of the transparent ghost signals (docs/scoring.md).",
        "",
        "## Training data",
        *[f"- {k}: {v}" for k, v in training.items()],
        "",
        "## Metrics (fraud class; employer-grouped cross-validation, never the same employer in train and test)",
        "Employer: EMSCAD has no employer column. Rows are one employer when they share the company profile,",
        "a description/requirements/benefits text of 40+ characters word for word, an anonymised",
        "#URL/#EMAIL/#PHONE token, or a near-identical title + description (connected components).",
        "The `source`, `orig_job_id` and `job_id` columns are never features (in the dev CSV `source`",
        "names a fraud-only sample, so it would give the label away). Threshold 0.5 for every model.",
        "The full EMSCAD model (per-field TF-IDF + metadata tokens, the same again in their rescaled",
        "SVD basis, structured fields and flag pairs, one logistic regression) needs every EMSCAD",
        "column, so it is evaluated here but not shipped; the artifact carries the text model, which",
        "reads only title and body like a feed posting.",
        "One CV seed below; docs/scoring.md gives mean ± std over 3 and 10 seeds and what else was tried.",
        "",
    ]
    for name, m in metrics.items():
        if isinstance(m, dict):
            lines.append(
                f"- {name}: "
                + ", ".join(
                    f"{k} {v}"
                    for k, v in m.items()
                    if k in ("f1", "precision", "recall", "pr_auc", "roc_auc", "folds", "rows")
                )
            )
        else:
            lines.append(f"- {name}: {m}")
    lines += [
        "",
        "Commands that produce these figures:",
        "- this artifact and all three lines: `.venv/bin/python scripts/train_default_model.py"
        " ../shared/data/emscad-dev.csv` (5 folds, seed 0)",
        "- one model: `jobsift evaluate --dataset emscad ../shared/data/emscad-dev.csv --json`"
        " (`--model full`, `text` or `baseline`)",
        "",
        "## Ghost weights (log-odds)",
        f"- intercept: {intercept}",
        *[f"- {k}: {v}" for k, v in weights.items()],
        "",
        "## Limits",
        "- EMSCAD postings are 2012-2014 job ads; feed postings differ. The text model is one signal among",
        "  many and is clipped to at most ±1 in log-odds.",
        "- The fraud share in the training CSV differs from the real base rate; the text signal is taken",
        "  relative to the training share (`text_prior`), not as an absolute probability.",
        "",
    ]
    return "\n".join(lines)


def outcome_card(
    m: dict[str, Any], calibration: dict[str, Any] | None, *, min_examples: int, min_per_class: int
) -> str:
    """The model card's section on the ghost figure: what it is calibrated on, and how well.

    ``min_examples``, ``min_per_class``: what training needs (``scoring.train``), named when uncalibrated.
    """
    lines = ["## The ghost figure and observed outcomes", ""]
    if calibration is None:
        lines += [
            "Not calibrated on outcomes: the ghost weights are the documented defaults (docs/scoring.md), chosen",
            "by hand. With no signal the defaults imply sigmoid(-1.6) = 17% never hired; nothing has measured",
            "that on real postings. `jobsift train` calibrates them once the store has enough resolved outcomes",
            f"({min_examples}, at least {min_per_class} hired and {min_per_class} never hired).",
            "",
        ]
        return "\n".join(lines)
    lines += [
        f"Calibrated ({calibration['method']}) on {calibration['outcomes']} resolved postings from "
        f"{calibration['clients']} clients, {calibration['never_hired']} of them never hired "
        f"({calibration.get('observed', 0)} observed outcomes, {calibration.get('user_labels', 0)} user labels).",
        "",
    ]
    if m:
        lines += [
            f"Client-grouped cross-validation ({m['folds']} folds, no client in both training and test):",
            f"- {cal.summary_line(m)}",
            f"- uncalibrated: {cal.summary_line(m['uncalibrated'])}",
            "",
            "| predicted | n | mean predicted | observed never hired |",
            "|---|---|---|---|",
            *[f"| {r['bin']} | {r['n']} | {r['predicted']} | {r['observed']} |" for r in m.get("reliability", [])],
            "",
        ]
    return "\n".join(lines)
