"""``lowball``: a fixed or hourly budget (USD) below its market's lowball percentile, or below your floor."""

from __future__ import annotations

from jobsift.model import Reason
from jobsift.scoring.flags import CAUTION, F, Flag, ModelView, Outcome, QualityTerm

CODE = "lowball"
QUALITY_WEIGHT = 20.0


def _num(f: F, key: str) -> float | None:
    v = f.get(key)
    return None if v is None else float(v)


def _money(v: float) -> str:
    return f"${v:,.0f}" if v >= 100 or v == int(v) else f"${v:,.2f}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def lowball(f: F) -> tuple[bool, float | None, float | None, list[Reason]]:
    """(flagged, ratio to market median, percentile, reasons). A missing budget is not lowball."""
    usd, kind = _num(f, "budget_usd"), f.get("budget_kind")
    if usd is None or kind not in ("fixed", "hourly"):
        return False, None, None, []
    unit = "/h" if kind == "hourly" else ""
    reasons: list[Reason] = []
    flagged = False
    floor = _num(f, f"floor_{kind}")
    if floor is not None and usd < floor:
        flagged = True
        reasons.append(
            Reason(
                "lowball.floor",
                f"{kind} {_money(usd)}{unit} is below your floor of {_money(floor)}{unit}",
                usd,
                floor,
                flag=CODE,
            )
        )
    median, pct, cut = _num(f, "market_median"), _num(f, "market_percentile"), _num(f, "market_threshold_usd")
    ratio = None
    if median is not None and pct is not None and median > 0:
        ratio = round(usd / median, 3)
        below = cut is not None and usd < cut
        # Rounded down when flagged, so a budget at percentile 9.6 under a 10th-percentile cut never
        # reads "is the 10th percentile"; the cut itself is named so the flag can be checked.
        rank = int(pct) if below else round(pct)
        where = f"is the {_ordinal(rank)} percentile" if rank >= 1 else "is below the 1st percentile"
        flagged_at = f"; flagged below {_money(cut)}{unit}" if below and cut is not None else ""
        text = (
            f"{kind} {_money(usd)}{unit} {where} for {f.get('market_label')} "
            f"(median {_money(median)}{unit}{flagged_at})"
        )
        flagged = flagged or below
        reasons.append(
            Reason("lowball" if below else "lowball.market", text, usd, median, flag=CODE if below else None)
        )
    return flagged, ratio, pct, reasons


def rule(f: F, _model: ModelView) -> Outcome:
    flagged, ratio, pct, reasons = lowball(f)
    terms = [QualityTerm("quality.lowball", "budget below market or your floor", -QUALITY_WEIGHT)] if flagged else []
    return Outcome(flagged, reasons, {"lowball_ratio": ratio, "lowball_percentile": pct}, terms)


FLAG = Flag(
    code=CODE,
    label="lowball budget",
    severity=CAUTION,
    colour="#b3261e",
    background="#fde8e6",
    order=30,
    rule=rule,
    when="a fixed or hourly budget (USD) below the `scoring.lowball_percentile` (default 10th) percentile of "
    "its market, or below your own floor",
    example="`fixed $40 is the 4th percentile for Logo Design (median $500; flagged below $100)`; "
    "`hourly $35/h is below your floor of $40/h`",
)
