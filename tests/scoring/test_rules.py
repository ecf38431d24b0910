"""Each flag's positive and negative cases on feature dicts; unknown is never bad; quality formula."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pytest

from jobsift.scoring import rules
from jobsift.scoring.features import Settings, build_features
from jobsift.scoring.flags.ghost import CODE as FLAG_GHOST
from jobsift.scoring.flags.lowball import CODE as FLAG_LOWBALL
from jobsift.scoring.flags.payment_unverified import CODE as FLAG_PAYMENT_UNVERIFIED
from jobsift.scoring.market import Cell, Market, load_prior
from jobsift.scoring.model import rules_only
from jobsift.scoring.score import compute_score
from jobsift.store.scoring_records import ClientForScoring, PostingForScoring
from tests.scoring.factory import LONG_TEXT, T0

MARKET = Market(load_prior())


def feats(
    *,
    client: dict[str, Any] | None = None,
    settings: Settings | None = None,
    market: Market = MARKET,
    reposts: int | None = 0,
    relists: int | None = 0,
    text_p: float | None = None,
    **row: Any,
) -> dict[str, Any]:
    p: dict[str, Any] = {
        "title": "Shopify catalogue migration",
        "description_text": LONG_TEXT,
        "first_seen_at": T0,
        "last_seen_at": T0,
        "skills": ["Shopify"],
        "budget_kind": "fixed",
        "budget_max_usd": 400.0,
        "budget_min_usd": 400.0,
    }
    p.update(row)
    return build_features(
        PostingForScoring.from_mapping(p),
        None if client is None else ClientForScoring.from_mapping(client).stats,
        now=T0,
        market=market,
        settings=settings or Settings(),
        reposts=reposts,
        relists=relists,
        text_scam_prob=text_p,
        text_prior=0.55 if text_p is not None else None,
    )


def score(f: dict[str, Any]) -> Any:
    return compute_score(f, rules_only())


# --- payment ---------------------------------------------------------------------------------


def test_payment_unverified_is_flagged_with_a_reason() -> None:
    s = score(feats(client={"payment_verified": False}))
    assert FLAG_PAYMENT_UNVERIFIED in s.flags
    assert s.payment_status == "unverified"
    assert any(r.flag == FLAG_PAYMENT_UNVERIFIED and "not verified" in r.text for r in s.reasons)


def test_payment_verified_and_unknown_are_not_flagged_and_unknown_costs_nothing() -> None:
    verified, unknown = score(feats(client={"payment_verified": True})), score(feats(client=None))
    assert FLAG_PAYMENT_UNVERIFIED not in verified.flags + unknown.flags
    assert (verified.payment_status, unknown.payment_status) == ("verified", "unknown")
    assert unknown.quality == verified.quality  # unknown is never counted against the posting


# --- lowball ---------------------------------------------------------------------------------


def test_lowball_reason_names_budget_percentile_market_and_median() -> None:
    cell = Cell(label="logo design", n=200, q=np.linspace(0, 1000, 101))
    market = Market({"fixed|*|logo design": cell})
    s = score(feats(market=market, skills=["Logo Design"], budget_max_usd=40.0, budget_min_usd=40.0))
    assert FLAG_LOWBALL in s.flags
    reason = next(r for r in s.reasons if r.flag == FLAG_LOWBALL)
    assert reason.text == "fixed $40 is the 4th percentile for logo design (median $500; flagged below $100)"
    assert s.lowball_ratio == pytest.approx(40 / 500, rel=1e-3)


def test_lowball_reason_never_reads_as_the_cut_itself() -> None:
    # $99 sits at percentile 9.9 of a 0-1000 market: flagged under the 10th-percentile cut ($100),
    # so the sentence says 9th, not the rounded 10th.
    cell = Cell(label="logo design", n=200, q=np.linspace(0, 1000, 101))
    market = Market({"fixed|*|logo design": cell})
    s = score(feats(market=market, skills=["Logo Design"], budget_max_usd=99.0, budget_min_usd=99.0))
    reason = next(r for r in s.reasons if r.flag == FLAG_LOWBALL)
    assert reason.text == "fixed $99 is the 9th percentile for logo design (median $500; flagged below $100)"
    tiny = score(feats(market=market, skills=["Logo Design"], budget_max_usd=5.0, budget_min_usd=5.0))
    text = next(r for r in tiny.reasons if r.flag == FLAG_LOWBALL).text
    assert text.startswith("fixed $5 is below the 1st percentile for logo design")
    typical = score(feats(market=market, skills=["Logo Design"], budget_max_usd=104.0, budget_min_usd=104.0))
    assert FLAG_LOWBALL not in typical.flags
    assert next(r for r in typical.reasons if r.code == "lowball.market").text == (
        "fixed $104 is the 10th percentile for logo design (median $500)"
    )


def test_lowball_negative_when_budget_is_typical() -> None:
    s = score(feats(budget_max_usd=5000.0, budget_min_usd=5000.0))
    assert FLAG_LOWBALL not in s.flags
    assert s.lowball_percentile is not None
    assert s.lowball_percentile > 50


def test_missing_budget_is_not_lowball() -> None:
    s = score(feats(budget_kind=None, budget_max_usd=None, budget_min_usd=None))
    assert FLAG_LOWBALL not in s.flags
    assert s.lowball_percentile is None
    assert s.lowball_ratio is None


def test_zero_budget_is_treated_as_not_given() -> None:
    s = score(feats(budget_max_usd=0.0, budget_min_usd=0.0))
    assert FLAG_LOWBALL not in s.flags
    assert s.features["budget_usd"] is None


def test_user_floor_per_kind() -> None:
    settings = Settings(floor_hourly=40.0, floor_fixed=100.0)
    hourly = score(feats(settings=settings, budget_kind="hourly", budget_max_usd=35.0, budget_min_usd=30.0))
    fixed = score(feats(settings=settings, budget_max_usd=400.0, budget_min_usd=400.0))
    assert FLAG_LOWBALL in hourly.flags
    assert any(r.code == "lowball.floor" and "below your floor of $40/h" in r.text for r in hourly.reasons)
    assert FLAG_LOWBALL not in fixed.flags


def test_salary_budgets_are_not_compared_with_the_freelance_market() -> None:
    s = score(feats(budget_kind="salary_year", budget_max_usd=9000.0, budget_min_usd=9000.0))
    assert FLAG_LOWBALL not in s.flags


# --- ghost -----------------------------------------------------------------------------------

BAD = {
    "payment_verified": True,
    "hire_rate": 0.0,
    "jobs_posted": 40,
    "jobs_with_hires": 0,
    "total_spent": 0.0,
    "open_jobs": 15,
    "member_since": T0 - timedelta(days=300),
}


def test_ghost_positive_with_bad_history_and_reposts() -> None:
    s = score(feats(client=BAD, reposts=3))
    assert FLAG_GHOST in s.flags
    assert s.ghost_probability is not None
    assert s.ghost_probability >= 0.9
    codes = {r.code for r in s.reasons if r.flag == FLAG_GHOST}
    assert {"ghost", "ghost.no_hires_history", "ghost.reposted"} <= codes
    assert any("0%" in r.text and "40 jobs" in r.text for r in s.reasons if r.code == "ghost.low_hire_rate")


def test_ghost_negative_for_a_client_who_hires() -> None:
    good = {
        "payment_verified": True,
        "hire_rate": 0.85,
        "jobs_posted": 30,
        "jobs_with_hires": 25,
        "total_spent": 40_000.0,
        "open_jobs": 1,
    }
    s = score(feats(client=good))
    assert FLAG_GHOST not in s.flags
    assert s.ghost_probability is not None
    assert s.ghost_probability < 0.1


def test_unknown_everything_is_not_ghost_and_adds_no_contribution() -> None:
    f = feats(client=None, reposts=None, relists=None, description_text=None)
    s = score(f)
    assert s.flags == ()
    assert all(r.contribution in (None, 0.0) for r in s.reasons if r.code.startswith("ghost."))
    assert s.ghost_probability == pytest.approx(rules.sigmoid(rules.DEFAULT_INTERCEPT), abs=1e-6)


@pytest.mark.parametrize("name", list(rules.GHOST_SIGNALS))
def test_no_single_signal_flags_a_posting_by_itself(name: str) -> None:
    z = rules.DEFAULT_INTERCEPT + min(rules.MAX_SINGLE, max(0.0, rules.DEFAULT_WEIGHTS[name]))
    assert rules.sigmoid(z) < 0.6


def test_single_text_signal_alone_is_not_flagged_but_two_are() -> None:
    one = score(feats(description_text=LONG_TEXT + " Contact me on WhatsApp."))
    two = score(feats(description_text=LONG_TEXT + " Contact me on WhatsApp. A registration fee of $30 applies."))
    assert FLAG_GHOST not in one.flags
    assert FLAG_GHOST in two.flags


def test_a_hire_pulls_the_probability_down() -> None:
    before = score(feats(client=BAD))
    after = score(feats(client=BAD, hires=1))
    assert after.ghost_probability is not None
    assert before.ghost_probability is not None
    assert after.ghost_probability < before.ghost_probability


# --- quality ---------------------------------------------------------------------------------


def test_quality_formula_and_filters() -> None:
    clean = score(feats())
    expected = round(100 - 60 * rules.sigmoid(rules.DEFAULT_INTERCEPT), 1)
    assert clean.quality == pytest.approx(expected, abs=0.1)
    wanted = Settings(keywords=("shopify",), skills=("shopify",))
    unwanted = Settings(keywords=("kubernetes",), exclude_keywords=("ceramics",))
    assert score(feats(settings=wanted)).quality > clean.quality > score(feats(settings=unwanted)).quality
    blocked = score(feats(settings=Settings(blocked=("never hires ltd",)), client={"name": "Never Hires Ltd"}))
    assert blocked.quality == 0.0


def test_quality_is_lower_with_each_flag() -> None:
    clean = score(feats(client={"payment_verified": True}))
    unverified = score(feats(client={"payment_verified": False}))
    assert clean.quality - unverified.quality == pytest.approx(15.0, abs=0.01)
