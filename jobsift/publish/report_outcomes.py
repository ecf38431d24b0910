"""The report's outcome sections: a calibration plot of the ghost figure, and outcome shares.

Calibration: every resolved posting (``hired`` or ``closed_no_hire``) with the ghost probability of its
first score (what was shown before its outcome was known), in 10 bins of that probability: the mean
predicted against the share that never hired, with counts. Shares: postings per source and per
category by outcome as shown (``gone`` and ``unknown`` are censored).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from jobsift.scoring.calibration import metrics
from jobsift.store.outcomes import shares
from jobsift.store.reports import resolved_first_scores

OUTCOME_ORDER = ("hired", "closed_no_hire", "open", "unknown", "gone")


@dataclass
class OutcomeData:
    figures: dict[str, Any] = field(default_factory=dict)
    by_source: dict[str, Counter[str]] = field(default_factory=dict)
    by_category: dict[str, Counter[str]] = field(default_factory=dict)


def load(engine: Engine) -> OutcomeData:
    data = OutcomeData()
    with engine.connect() as conn:
        rows = resolved_first_scores(conn)
        share_rows = shares(conn)
    if rows:
        data.figures = metrics([1 if o == "closed_no_hire" else 0 for o, _p in rows], [float(p) for _o, p in rows])
    by_source: dict[str, Counter[str]] = defaultdict(Counter)
    by_category: dict[str, Counter[str]] = defaultdict(Counter)
    for r in share_rows:
        by_source[r["source"]][r["outcome"]] += int(r["n"])
        by_category[r["category"] or "(none)"][r["outcome"]] += int(r["n"])
    data.by_source = dict(sorted(by_source.items()))
    top = sorted(by_category.items(), key=lambda kv: -sum(kv[1].values()))[:15]
    data.by_category = dict(top)
    return data


def calibration_plot(data: OutcomeData) -> str | None:
    table = data.figures.get("reliability") or []
    if not table:
        return None
    from jobsift.publish.report import COLORS, _plt, _svg

    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 4.6))
    ax.plot([0, 1], [0, 1], color="#9aa3ad", linestyle="--", linewidth=1, label="perfect calibration")
    xs = [r["predicted"] for r in table]
    ys = [r["observed"] for r in table]
    ax.plot(xs, ys, color=COLORS[0], marker="o", label="resolved postings")
    for r in table:
        ax.annotate(
            str(r["n"]),
            (r["predicted"], r["observed"]),
            textcoords="offset points",
            xytext=(4, -10),
            fontsize=7,
            color="#5d6675",
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("ghost probability at first sight (mean per bin)")
    ax.set_ylabel("share that never hired")
    ax.legend(loc="upper left", frameon=False)
    return _svg(fig)


def section(engine: Engine) -> dict[str, Any]:
    """What the template needs: figures, the plot and the share tables."""
    data = load(engine)
    return {
        "figures": data.figures,
        "plot": calibration_plot(data),
        "by_source": data.by_source,
        "by_category": data.by_category,
        "order": OUTCOME_ORDER,
    }
