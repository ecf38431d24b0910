"""Words that match the evidence: how the ghost figure is put to a person, given the model that made it.

A figure from a model calibrated on observed outcomes (``GhostModel.calibrated``) is a probability
and is shown as one, with its basis: "61%: of 412 resolved postings like this in your store, about
6 in 10 never hired". A figure from the default weights is not: nothing has measured it. It is
shown as a level with the signals behind it, and one line saying the weights are defaults not yet
calibrated on outcomes, how many outcomes the store has resolved, and what ``jobsift train`` needs.

Levels (documented in docs/scoring.md): **high** at or above ``scoring.ghost_threshold`` (0.6, where
the ``ghost`` flag is set); **medium** from ``MEDIUM_AT`` (0.35: one strong signal, about twice the
17% the defaults give a posting with no signal at all); **low** below.

Every score row stores its ``ghost_basis`` (these facts, not the sentences), so a page always words
a score for the model that made it; rows from before the basis existed read as uncalibrated
(no calibrated model existed then).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MEDIUM_AT = 0.35
#: What ``jobsift train`` needs before it calibrates (issue 11: 200 resolved outcomes, 30 of each class).
TRAIN_MIN_OUTCOMES = 200
TRAIN_MIN_EACH = 30


def risk_level(p: float, high_at: float = 0.6) -> str:
    """``high`` / ``medium`` / ``low`` for an uncalibrated ghost figure."""
    return "high" if p >= high_at else "medium" if p >= min(MEDIUM_AT, high_at) else "low"


def basis(
    calibration: Mapping[str, Any] | None, p: float, high_at: float, outcomes_resolved: int | None = None
) -> dict[str, Any]:
    """The facts stored with a score (``scores.ghost_basis``) that decide how its ghost figure is worded."""
    if calibration is not None:  # as GhostModel.calibrated decides
        keep = ("method", "outcomes", "clients", "never_hired")
        return {"calibrated": True, **{k: calibration.get(k) for k in keep}}
    return {
        "calibrated": False,
        "level": risk_level(p, high_at),
        "high_at": high_at,
        "medium_at": MEDIUM_AT,
        "outcomes_resolved": outcomes_resolved,
    }


def _int(v: Any) -> int | None:
    try:
        return None if v is None else int(v)
    except (TypeError, ValueError):
        return None


def headline(p: float, b: Mapping[str, Any]) -> str:
    """The ghost figure in words: a probability with its basis, or a level."""
    if b.get("calibrated"):
        n = _int(b.get("outcomes"))
        if n:
            tenths = round(p * 10)
            return f"{p:.0%}: of {n:,} resolved postings like this in your store, about {tenths} in 10 never hired"
        return f"{p:.0%} likely to never lead to a hire (calibrated on outcomes)"
    return f"ghost risk: {b.get('level') or risk_level(p, float(b.get('high_at') or 0.6))}"


def basis_line(b: Mapping[str, Any] | None) -> str:
    """One line on what the ghost figure rests on (shown once per page, feed item, digest, explain)."""
    b = b or {"calibrated": False}
    if b.get("calibrated"):
        text = f"Ghost figures are calibrated ({b.get('method') or 'on outcomes'})"
        n, clients, never = _int(b.get("outcomes")), _int(b.get("clients")), _int(b.get("never_hired"))
        if n:
            text += f" on {n:,} resolved outcomes in your store" + (f" from {clients:,} clients" if clients else "")
            if never is not None:
                text += f", {never:,} of them never hired"
        return text + "."
    resolved = _int(b.get("outcomes_resolved")) or 0
    count = f"{resolved:,} outcomes resolved so far" if resolved else "no outcomes resolved yet"
    return (
        "Ghost risk levels come from default weights, not yet calibrated on outcomes "
        f"({count}); 'jobsift train' calibrates them once the store has {TRAIN_MIN_OUTCOMES} resolved "
        f"outcomes, at least {TRAIN_MIN_EACH} hired and {TRAIN_MIN_EACH} never hired."
    )


def job_basis(job: Mapping[str, Any]) -> dict[str, Any]:
    """A listed job's basis (a stored score from before the basis existed is uncalibrated)."""
    stored = job.get("ghost_basis")
    if isinstance(stored, Mapping):
        return dict(stored)
    p = job.get("ghost_probability")
    return basis(None, float(p or 0.0), 0.6)


def ghost_words(job: Mapping[str, Any]) -> str:
    """``ghost risk: medium`` or ``61%: of 412 resolved postings ...`` for a listed job ('' if unscored)."""
    p = job.get("ghost_probability")
    return "" if p is None else headline(float(p), job_basis(job))
