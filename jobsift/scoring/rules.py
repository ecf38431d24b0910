"""Transparent rules: payment status, lowball, the ghost log-odds sum, and the quality formula.

Every function here is a pure function of the stored ``features`` dict (plus the ghost weights of
the model version that scored it), so ``jobsift explain`` reproduces a stored score exactly.

Ghost probability::

    logit(p) = intercept + Σ_i clip(w_i · x_i, -MAX_SINGLE, MAX_SINGLE)

where each ``x_i`` is a signal in [0, 1] (or [-1, 1] for the text model) computed from the
features below, ``w_i`` its weight (documented defaults, or learned by ``jobsift train``). With the
default intercept (-1.6) and MAX_SINGLE = 1.5, one signal alone reaches at most p = 0.48, under the
default threshold of 0.6: it takes two signals to flag a posting.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from jobsift.model import FLAG_GHOST, FLAG_LOWBALL, FLAG_PAYMENT_UNVERIFIED, Reason
from jobsift.scoring.text import signal_text

F = Mapping[str, Any]
MAX_SINGLE = 1.5
DEFAULT_INTERCEPT = -1.6
RULES_VERSION = "rules-1"


def _num(f: F, key: str) -> float | None:
    v = f.get(key)
    return None if v is None else float(v)


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, x))


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


# --- ghost signals: name → (x from features or None when its inputs are unknown, sentence) ----


def _low_hire_rate(f: F) -> float | None:
    rate, posted = _num(f, "client_hire_rate"), _num(f, "client_jobs_posted")
    if rate is None or (posted is not None and posted < 3):
        return None
    return _clip((0.3 - rate) / 0.3)


def _no_hires_history(f: F) -> float | None:
    posted, hired = _num(f, "client_jobs_posted"), _num(f, "client_jobs_with_hires")
    if posted is None or hired is None:
        return None
    return 1.0 if posted >= 5 and hired == 0 else 0.0


def _no_spend(f: F) -> float | None:
    spent, posted = _num(f, "client_total_spent"), _num(f, "client_jobs_posted")
    if spent is None or posted is None:
        return None
    return 1.0 if spent <= 0 and posted >= 3 else 0.0


def _good_history(f: F) -> float | None:
    rate, hired = _num(f, "client_hire_rate"), _num(f, "client_jobs_with_hires")
    if rate is None or hired is None:
        return None
    return 1.0 if rate >= 0.6 and hired >= 3 else 0.0


def _big_spender(f: F) -> float | None:
    spent = _num(f, "client_total_spent")
    return None if spent is None else _clip(math.log10(max(spent, 1.0)) - 3.0)  # $1k → 0, $10k → 1


def _many_open_jobs(f: F) -> float | None:
    open_ = _num(f, "client_open_jobs")
    return None if open_ is None else _clip((open_ - 5) / 15)


def _new_account(f: F) -> float | None:
    age = _num(f, "client_age_days")
    return None if age is None else (1.0 if age < 14 else 0.0)


def _client_inactive(f: F) -> float | None:
    days = _num(f, "days_since_client_activity")
    return None if days is None else _clip((days - 7) / 21)


def _crowded_no_interviews(f: F) -> float | None:
    props, inter, age = _num(f, "proposals"), _num(f, "interviewing"), _num(f, "days_listed")
    if props is None or inter is None:
        return None
    return 1.0 if props >= 30 and inter == 0 and (age is None or age >= 3) else 0.0


def _invites_unanswered(f: F) -> float | None:
    sent, unanswered = _num(f, "invites_sent"), _num(f, "unanswered_invites")
    if sent is None or unanswered is None or sent < 5:
        return None
    return 1.0 if unanswered / sent >= 0.8 else 0.0


def _hired(f: F) -> float | None:
    hires = _num(f, "hires")
    return None if hires is None else (1.0 if hires >= 1 else 0.0)


def _long_listed(f: F) -> float | None:
    days = _num(f, "days_listed")
    return None if days is None else _clip((days - 14) / 30)


def _reposted(f: F) -> float | None:
    n = _num(f, "reposts")
    return None if n is None else _clip(n / 3)


def _relisted(f: F) -> float | None:
    n = _num(f, "relists")
    return None if n is None else _clip(n / 2)


def _text(code: str) -> Callable[[F], float | None]:
    def x(f: F) -> float | None:
        v = f.get("text_" + code)
        return None if v is None else float(v)

    return x


def _scam_language(f: F) -> float | None:
    p, prior = _num(f, "text_scam_prob"), _num(f, "text_prior")
    if p is None or prior is None:
        return None
    return _clip((logit(p) - logit(prior)) / 3, -1.0, 1.0)


GhostSignal = tuple[Callable[[F], float | None], float, str]

#: name → (x(features), default weight in log-odds, what it means)
GHOST_SIGNALS: dict[str, GhostSignal] = {
    "low_hire_rate": (_low_hire_rate, 1.2, "client hires on few of their jobs (hire rate under 30%)"),
    "no_hires_history": (_no_hires_history, 1.4, "client posted 5+ jobs and hired on none"),
    "no_spend": (_no_spend, 0.6, "client has never spent money despite posting jobs"),
    "good_history": (_good_history, -1.2, "client hires on most jobs (60%+, 3+ hires)"),
    "big_spender": (_big_spender, -0.6, "client has spent real money ($1k to $10k+)"),
    "many_open_jobs": (_many_open_jobs, 0.5, "client has many jobs open at once"),
    "new_account": (_new_account, 0.4, "client account is under two weeks old"),
    "client_inactive": (_client_inactive, 0.9, "client has not been active for weeks"),
    "crowded_no_interviews": (_crowded_no_interviews, 0.8, "30+ proposals and nobody interviewed"),
    "invites_unanswered": (_invites_unanswered, 0.4, "most of the client's invites go unanswered"),
    "hired": (_hired, -2.5, "someone was hired"),
    "long_listed": (_long_listed, 0.7, "listed for weeks without being filled"),
    "reposted": (_reposted, 1.3, "near-identical text posted again (same client or another source)"),
    "relisted": (_relisted, 0.5, "the same posting disappeared and came back"),
    "off_platform_contact": (_text("off_platform_contact"), 1.2, signal_text("off_platform_contact")),
    "unpaid_test": (_text("unpaid_test"), 1.0, signal_text("unpaid_test")),
    "free_work": (_text("free_work"), 0.9, signal_text("free_work")),
    "upfront_fee": (_text("upfront_fee"), 1.5, signal_text("upfront_fee")),
    "too_good": (_text("too_good"), 0.8, signal_text("too_good")),
    "vague_scope": (_text("vague_scope"), 0.4, signal_text("vague_scope")),
    "scam_language": (_scam_language, 1.0, "the wording resembles known fake postings (text model)"),
}
DEFAULT_WEIGHTS: dict[str, float] = {k: v[1] for k, v in GHOST_SIGNALS.items()}


def _pct(v: Any) -> str:
    return "unknown" if v is None else f"{float(v):.0%}"


#: Sentences with the posting's own numbers, so a reader can check each signal.
DETAILS: dict[str, Callable[[F], str]] = {
    "low_hire_rate": lambda f: (
        f"client hire rate {_pct(f.get('client_hire_rate'))} over {f.get('client_jobs_posted')} jobs posted"
        " (under 30% counts)"
    ),
    "no_hires_history": lambda f: (
        f"client posted {f.get('client_jobs_posted')} jobs and hired on {f.get('client_jobs_with_hires')}"
    ),
    "no_spend": lambda f: (
        f"client has spent ${f.get('client_total_spent') or 0:,.0f} over {f.get('client_jobs_posted')} jobs posted"
    ),
    "good_history": lambda f: (
        f"client hire rate {_pct(f.get('client_hire_rate'))}, {f.get('client_jobs_with_hires')} jobs with hires"
    ),
    "big_spender": lambda f: f"client has spent ${f.get('client_total_spent') or 0:,.0f}",
    "many_open_jobs": lambda f: f"client has {f.get('client_open_jobs')} jobs open",
    "new_account": lambda f: f"client account is {f.get('client_age_days')} days old (under 14 counts)",
    "client_inactive": lambda f: (
        f"client last active {f.get('days_since_client_activity')} days ago (counts from 7, full at 28)"
    ),
    "crowded_no_interviews": lambda f: f"{f.get('proposals')} proposals, {f.get('interviewing')} interviewing",
    "invites_unanswered": lambda f: f"{f.get('unanswered_invites')} of {f.get('invites_sent')} invites unanswered",
    "hired": lambda f: f"{f.get('hires')} hired",
    "long_listed": lambda f: f"listed for {f.get('days_listed')} days (counts from 14, full at 44)",
    "reposted": lambda f: f"{f.get('reposts')} near-identical postings (same client or another source)",
    "relisted": lambda f: f"disappeared and came back {f.get('relists')} times",
    "scam_language": lambda f: (
        f"text model {_pct(f.get('text_scam_prob'))} fake-like vs {_pct(f.get('text_prior'))} in its training data"
    ),
}


def describe(name: str, f: F) -> str:
    detail = DETAILS.get(name)
    return detail(f) if detail else GHOST_SIGNALS[name][2]


def ghost_vector(f: F) -> dict[str, float]:
    """The signal values x_i (unknown inputs give 0: unknown never counts against a posting)."""
    out: dict[str, float] = {}
    for name, (fn, _, _) in GHOST_SIGNALS.items():
        x = fn(f)
        out[name] = 0.0 if x is None else float(x)
    return out


def ghost_terms(f: F, weights: Mapping[str, float]) -> list[tuple[str, float, float, float]]:
    """Every ghost signal as (name, x, weight, capped contribution to the log-odds)."""
    out = []
    for name, x in ghost_vector(f).items():
        w = weights.get(name, 0.0)
        out.append((name, x, w, _clip(w * x, -MAX_SINGLE, MAX_SINGLE) + 0.0))
    return out


def ghost(
    f: F, weights: Mapping[str, float], intercept: float, calibration: Mapping[str, Any] | None = None
) -> tuple[float, list[Reason]]:
    """Ghost probability and one reason per signal that moved it.

    ``calibration`` (GhostModel.calibration, scoring/calibration.py): Platt scales every contribution
    and the intercept by the same linear map, so the reasons still sum to the log-odds shown;
    isotonic maps the raw sum through its curve.
    """
    from jobsift.scoring import calibration as cal

    scale = cal.linear_map(calibration)
    a, b = scale if scale is not None else (1.0, 0.0)
    z = a * intercept + b
    reasons: list[Reason] = []
    threshold = float(f.get("ghost_threshold", 0.6))
    for name, x, _w, c in ghost_terms(f, weights):
        if x == 0.0 or c == 0.0:
            continue
        c = a * c
        z += c
        reasons.append(
            Reason(
                code=f"ghost.{name}",
                text=describe(name, f),
                value=round(x, 4),
                reference=weights.get(name, 0.0),
                contribution=round(c, 4),
            )
        )
    p = round(sigmoid(z) if calibration is None or scale is not None else cal.apply(z, calibration), 6)
    flagged = p >= threshold
    if flagged:
        reasons = [
            Reason(
                r.code, r.text, r.value, r.reference, r.contribution, FLAG_GHOST if (r.contribution or 0) > 0 else None
            )
            for r in reasons
        ]
        reasons.insert(
            0,
            Reason(
                code="ghost",
                text=f"{p:.0%} likely to never lead to a hire",
                value=p,
                reference=threshold,
                contribution=None,
                flag=FLAG_GHOST,
            ),
        )
    return p, reasons


def payment(f: F) -> tuple[str, list[Reason]]:
    v = f.get("payment_verified")
    if v is True:
        return "verified", [Reason("payment.verified", "client's payment method is verified", "verified")]
    if v is False:
        return "unverified", [
            Reason(
                "payment_unverified",
                "client's payment method is not verified",
                "unverified",
                flag=FLAG_PAYMENT_UNVERIFIED,
            )
        ]
    return "unknown", [
        Reason("payment.unknown", "the source does not say whether payment is verified", "unknown", contribution=0.0)
    ]


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
                flag=FLAG_LOWBALL,
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
            Reason("lowball" if below else "lowball.market", text, usd, median, flag=FLAG_LOWBALL if below else None)
        )
    return flagged, ratio, pct, reasons


# --- quality ----------------------------------------------------------------------------------

QUALITY_WEIGHTS = {
    "ghost": 60.0,
    "payment_unverified": 15.0,
    "lowball": 20.0,
    "no_keyword": 30.0,
    "excluded_keyword": 50.0,
    "skill_each": 5.0,
    "skill_cap": 15.0,
    "no_skill": 10.0,
    "wrong_country": 30.0,
}


def quality(f: F, ghost_p: float, flags: list[str]) -> tuple[float, list[Reason]]:
    """0-100: 100 - 60·p(ghost) - 15 unverified - 20 lowball, then the user's filters; see docs."""
    w = QUALITY_WEIGHTS
    parts: list[tuple[str, str, float]] = [("quality.ghost", f"ghost probability {ghost_p:.0%}", -w["ghost"] * ghost_p)]
    if FLAG_PAYMENT_UNVERIFIED in flags:
        parts.append(("quality.payment_unverified", "payment not verified", -w["payment_unverified"]))
    if FLAG_LOWBALL in flags:
        parts.append(("quality.lowball", "budget below market or your floor", -w["lowball"]))
    if f.get("filter_keyword_match") is False:
        parts.append(("quality.no_keyword", "mentions none of your keywords", -w["no_keyword"]))
    if f.get("filter_excluded_keyword"):
        parts.append(("quality.excluded_keyword", f"mentions {f['filter_excluded_keyword']!r}", -w["excluded_keyword"]))
    matched = f.get("filter_skill_matches")
    if matched is not None:
        if matched > 0:
            parts.append(
                ("quality.skills", f"matches {matched} of your skills", min(w["skill_cap"], w["skill_each"] * matched))
            )
        else:
            parts.append(("quality.no_skill", "matches none of your skills", -w["no_skill"]))
    if f.get("filter_country_ok") is False:
        parts.append(("quality.country", "client country is not in your list", -w["wrong_country"]))
    total = 100.0 + sum(p[2] for p in parts)
    if f.get("filter_blocked_client"):
        parts.append(("quality.blocked", "client or company is on your blocked list", -total))
        total = 0.0
    reasons = [Reason(code, text, contribution=round(c, 2)) for code, text, c in parts if c != 0.0]
    return round(max(0.0, min(100.0, total)), 1), reasons
