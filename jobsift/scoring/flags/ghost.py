"""``ghost``: a client unlikely to hire (history, activity, reposts, crowded with no interviews, time listed).

The rule is the ghost log-odds sum of ``jobsift.scoring.rules`` (every signal's x, weight and
capped contribution); the posting is flagged when the figure reaches ``scoring.ghost_threshold``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobsift.model import Reason
from jobsift.scoring import evidence, rules
from jobsift.scoring.flags import WARNING, F, Flag, ModelView, Outcome, QualityTerm

CODE = "ghost"
QUALITY_WEIGHT = 60.0


def figure(
    f: F, weights: Mapping[str, float], intercept: float, calibration: Mapping[str, Any] | None = None
) -> tuple[float, list[Reason]]:
    """The ghost figure and one (unflagged) reason per signal that moved it.

    ``calibration`` (``jobsift.scoring.calibration``): Platt scales every contribution and the
    intercept by the same linear map, so the reasons still sum to the log-odds shown; isotonic maps
    the raw sum through its curve.
    """
    scale: tuple[float, float] | None = None
    if calibration is not None:  # numpy only for a calibrated model: the read commands stay light
        from jobsift.scoring import calibration as cal

        scale = cal.linear_map(calibration)
    a, b = scale if scale is not None else (1.0, 0.0)
    z = a * intercept + b
    reasons: list[Reason] = []
    for name, x, _w, c in rules.ghost_terms(f, weights):
        if x == 0.0 or c == 0.0:
            continue
        c = a * c
        z += c
        reasons.append(
            Reason(
                code=f"ghost.{name}",
                text=rules.describe(name, f),
                value=round(x, 4),
                reference=weights.get(name, 0.0),
                contribution=round(c, 4),
            )
        )
    p = round(rules.sigmoid(z) if calibration is None or scale is not None else cal.apply(z, calibration), 6)
    return p, reasons


def rule(f: F, model: ModelView) -> Outcome:
    """The ghost figure, flagged at ``scoring.ghost_threshold``, with the words its basis allows."""
    p, reasons = figure(f, model.weights, model.intercept, model.calibration)
    threshold = float(f.get("ghost_threshold", 0.6))
    flagged = p >= threshold
    basis = evidence.basis(model.calibration, p, threshold)
    if flagged:
        reasons = [
            Reason(r.code, r.text, r.value, r.reference, r.contribution, CODE if (r.contribution or 0) > 0 else None)
            for r in reasons
        ]
        reasons.insert(
            0,
            Reason(
                code=CODE,
                text=evidence.headline(p, basis),
                value=p,
                reference=threshold,
                contribution=None,
                flag=CODE,
            ),
        )
    words = f"ghost probability {p:.0%}" if basis["calibrated"] else f"ghost risk {basis['level']}"
    term = QualityTerm("quality.ghost", words, -QUALITY_WEIGHT * p)
    return Outcome(flagged, reasons, {"ghost_probability": p, "ghost_basis": basis}, [term])


FLAG = Flag(
    code=CODE,
    label="likely ghost",
    severity=WARNING,
    colour="#b3261e",
    background="#fde8e6",
    order=10,
    rule=rule,
    when="the ghost figure is at least `scoring.ghost_threshold` (default 0.6)",
    example="`ghost risk: high` (default weights) or `61%: of 412 resolved postings like this in your store, "
    "about 6 in 10 never hired` (calibrated), followed by one reason per signal that pushed it up",
)
