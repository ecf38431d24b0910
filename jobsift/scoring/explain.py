"""Explain a stored score: recompute it from the stored features and model version, and show why."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from jobsift.errors import JobsiftError, NotFoundError
from jobsift.scoring import evidence, rules
from jobsift.scoring.calibration import apply, linear_map
from jobsift.scoring.model import GhostModel, find_version
from jobsift.scoring.score import compute_score, reason_dict
from jobsift.scoring.text import posting_text
from jobsift.store.pending import posting_for_scoring
from jobsift.store.scores import latest_score
from jobsift.store.scoring_records import StoredScore

COMPARED = ("quality", "flags", "ghost_probability", "payment_status", "lowball_ratio", "lowball_percentile", "reasons")


def _stored_view(row: StoredScore) -> dict[str, Any]:
    return {
        "quality": row.quality,
        "flags": list(row.flags or []),
        "ghost_probability": row.ghost_probability,
        "payment_status": row.payment_status,
        "lowball_ratio": row.lowball_ratio,
        "lowball_percentile": row.lowball_percentile,
        "reasons": list(row.reasons or []),
    }


def _words(row: StoredScore) -> dict[str, Any]:
    """How the stored ghost figure may be put: calibrated or not, the words and the one-line basis."""
    job = {"ghost_probability": row.ghost_probability, "ghost_basis": row.ghost_basis}
    b = evidence.job_basis(job)
    return {
        "calibrated": bool(b.get("calibrated")),
        "ghost_basis": b,
        "ghost_words": evidence.ghost_words(job),
        "basis_line": evidence.basis_line(b),
    }


def explain(engine: Engine, job_id: int, db_url: str, model_path: str = "") -> dict[str, Any]:
    """Everything behind job ``job_id``'s latest score, and whether recomputing it reproduces it."""
    with engine.connect() as conn:
        post = posting_for_scoring(conn, job_id)
        if post is None:
            raise NotFoundError(f"no posting with id {job_id}")
        row = latest_score(conn, job_id)
    if row is None:
        raise JobsiftError(f"posting {job_id} has not been scored yet (run 'jobsift score')")
    features = dict(row.features or {})
    model: GhostModel | None = find_version(row.model_version, db_url, model_path)
    out: dict[str, Any] = {
        "id": job_id,
        "title": post.title,
        "url": post.url,
        "source": post.source,
        "model_version": row.model_version,
        "scored_at": row.scored_at,
        "stored": _stored_view(row),
        "features": features,
        "reproduced": None,
        "differences": [],
        "signals": [],
        "text_model_rerun": None,
        **_words(row),
    }
    if model is None:
        out["differences"] = [
            f"model {row.model_version} is not available here (replaced or removed); cannot recompute. "
            "'jobsift score --all' rescores every posting with the current model"
        ]
        return out
    again = compute_score(features, model)
    recomputed = {
        "quality": again.quality,
        "flags": list(again.flags),
        "ghost_probability": again.ghost_probability,
        "payment_status": again.payment_status,
        "lowball_ratio": again.lowball_ratio,
        "lowball_percentile": again.lowball_percentile,
        "reasons": [reason_dict(r) for r in again.reasons],
    }
    out["recomputed"] = recomputed
    out["differences"] = [k for k in COMPARED if recomputed[k] != out["stored"][k]]
    out["reproduced"] = not out["differences"]
    # Platt calibration is a linear map of the log-odds: contributions and intercept scale with it.
    scale = linear_map(model.calibration)
    a, b = scale if scale is not None else (1.0, 0.0)
    z = a * model.intercept + b
    for name, x, w, c in rules.ghost_terms(features, model.weights):
        z += a * c
        out["signals"].append(
            {
                "signal": name,
                "x": round(x, 4),
                "weight": w,
                "contribution": round(a * c, 4),
                "meaning": rules.describe(name, features) if x else rules.GHOST_SIGNALS[name][2],
            }
        )
    out["ghost_intercept"] = round(a * model.intercept + b, 6)
    out["ghost_logit"] = round(z, 4)
    out["calibration"] = (
        None if model.calibration is None else {k: v for k, v in model.calibration.items() if k not in ("x", "y")}
    )
    if model.calibration is not None and scale is None:
        out["ghost_calibrated_probability"] = round(apply(z, model.calibration), 6)
    if model.text is not None and features.get("text_scam_prob") is not None:
        probs = model.predict_text([posting_text(post.title or "", post.description_text)])
        if probs:
            out["text_model_rerun"] = {
                "stored": features["text_scam_prob"],
                "now": round(probs[0], 6),
                "same": round(probs[0], 6) == features["text_scam_prob"],
            }
    return out
