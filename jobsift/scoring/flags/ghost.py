"""``ghost``: a client unlikely to hire (history, activity, reposts, crowded with no interviews, time listed).

The rule is the ghost log-odds sum of ``jobsift.scoring.rules`` (every signal's x, weight and
capped contribution); the posting is flagged when the figure reaches ``scoring.ghost_threshold``.
"""

from __future__ import annotations

from jobsift.model import Reason
from jobsift.scoring import evidence, rules
from jobsift.scoring.flags import WARNING, F, Flag, ModelView, Outcome, QualityTerm

CODE = "ghost"
QUALITY_WEIGHT = 60.0


def rule(f: F, model: ModelView) -> Outcome:
    """Ghost probability and one reason per signal that moved it."""
    z = model.intercept
    reasons: list[Reason] = []
    threshold = float(f.get("ghost_threshold", 0.6))
    for name, x, _w, c in rules.ghost_terms(f, model.weights):
        if x == 0.0 or c == 0.0:
            continue
        z += c
        reasons.append(
            Reason(
                code=f"ghost.{name}",
                text=rules.describe(name, f),
                value=round(x, 4),
                reference=model.weights.get(name, 0.0),
                contribution=round(c, 4),
            )
        )
    p = round(rules.sigmoid(z), 6)
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
