"""`scam`: a flag of its own, separate from `ghost`, never amber, its evidence shown once."""

from __future__ import annotations

import re
from typing import Any

import pytest

from jobsift.scoring.features import Settings, build_features
from jobsift.scoring.flags import scam
from jobsift.scoring.market import Market, load_prior
from jobsift.scoring.model import rules_only
from jobsift.scoring.score import compute_score
from jobsift.scoring.text import signals
from jobsift.store.scoring_records import ClientForScoring, PostingForScoring
from tests.scoring.factory import GOOD_CLIENT, LONG_TEXT, T0

ADVANCE_FEE = (
    "Earn $800/day from home! No experience needed. Pay a $50 registration fee to get started, "
    "then WhatsApp me at +1 555 123 4567 for your first task."
)


def features(title: str, description: str | None, client: dict[str, Any] | None = None) -> dict[str, Any]:
    p = {
        "title": title,
        "description_text": description,
        "first_seen_at": T0,
        "last_seen_at": T0,
        "budget_kind": "fixed",
        "budget_max_usd": 400.0,
        "skills": ["Shopify"],
    }
    return build_features(
        PostingForScoring.from_mapping(p),
        None if client is None else ClientForScoring.from_mapping(client).stats,
        now=T0,
        market=Market.from_history(load_prior(), [], 30),
        settings=Settings(),
        reposts=0,
        relists=0,
        text_scam_prob=None,
        text_prior=None,
    )


GOOD = {
    "payment_verified": True,
    "hire_rate": 0.8,
    "jobs_posted": 20,
    "jobs_with_hires": 16,
    "total_spent": 25_000.0,
    "open_jobs": 1,
    "member_since": GOOD_CLIENT.member_since,
}


def test_advance_fee_posting_is_a_scam_capped_at_10_with_each_reason_once() -> None:
    s = compute_score(features("Data entry assistant", ADVANCE_FEE, GOOD), rules_only())
    assert "scam" in s.flags
    assert s.flags[0] == "scam"
    assert s.quality <= scam.QUALITY_CAP
    head = s.reasons[0]
    assert head.code == "scam"
    assert "asks the applicant to pay" in head.text
    texts = [r.text for r in s.reasons]
    assert len(texts) == len(set(texts)), texts  # a signal feeding ghost and scam is shown once
    fee = [r for r in s.reasons if r.code.endswith(".upfront_fee")]
    assert len(fee) == 1
    assert fee[0].flag == "scam"
    assert any(r.code == "quality.scam" and (r.contribution or 0) < 0 for r in s.reasons)


HARD = [
    ("id_documents", "Please send a copy of your passport and your social security number before we start."),
    ("bank_or_crypto", "Reply with your bank account details so we can set up payroll today."),
    ("bank_or_crypto", "You will be paid in bitcoin to your wallet address each Friday."),
    ("check_scheme", "We will mail you a check for the equipment; deposit the check and send back the difference."),
]


@pytest.mark.parametrize(("name", "text"), HARD)
def test_each_hard_request_alone_makes_a_scam(name: str, text: str) -> None:
    f = features("Remote assistant", LONG_TEXT + " " + text, GOOD)
    assert f[f"text_{name}"] == 1
    s = compute_score(f, rules_only())
    assert "scam" in s.flags
    assert s.quality <= 10
    assert any(r.code == f"scam.{name}" and r.flag == "scam" for r in s.reasons)


def test_one_soft_cue_is_not_a_scam_but_two_are() -> None:
    email_only = compute_score(
        features("Shopify migration", LONG_TEXT + " Questions: hello@ceramics.test", GOOD), rules_only()
    )
    assert "scam" not in email_only.flags
    assert email_only.quality > 10
    two = compute_score(features("Shopify migration", LONG_TEXT + " Easy money! WhatsApp me.", GOOD), rules_only())
    assert "scam" in two.flags


def test_an_ordinary_posting_has_no_scam_evidence() -> None:
    f = features("Shopify catalogue migration", LONG_TEXT, GOOD)
    assert not any(f[f"text_{n}"] for n in scam.PATTERNS)
    s = compute_score(f, rules_only())
    assert "scam" not in s.flags
    assert not [r for r in s.reasons if r.code.startswith("scam")]


def test_ordinary_words_near_the_triggers_do_not_match() -> None:
    text = (
        "Update the ID field in our Django models, check the balance sheet export, fix the bank holiday "
        "calendar, build a crypto wallet app with Plaid bank account linking and a gift card checkout, "
        "and don't overpay for hosting. Crypto knowledge is a plus."
    )
    out = scam.text_signals("Django developer", text)
    assert out == {"text_id_documents": 0, "text_bank_or_crypto": 0, "text_check_scheme": 0}


def test_scam_is_separate_from_ghost() -> None:
    """A client who never hires is ghost, not scam; a scam from a good client is scam, not ghost."""
    bad = {
        "payment_verified": True,
        "hire_rate": 0.0,
        "jobs_posted": 40,
        "jobs_with_hires": 0,
        "total_spent": 0.0,
        "open_jobs": 15,
        "member_since": GOOD_CLIENT.member_since,
    }
    ghost_only = compute_score(features("Shopify migration", LONG_TEXT, bad), rules_only())
    assert "ghost" in ghost_only.flags
    assert "scam" not in ghost_only.flags
    scam_only = compute_score(
        features("Shopify migration", LONG_TEXT + " Send your bank details to receive payment.", GOOD), rules_only()
    )
    assert scam_only.flags == ("scam",)


def test_text_signals_stay_linear_on_long_adversarial_text() -> None:
    # Triggers everywhere, no match: the patterns are tried once per position without nested repeats.
    text = "send your " * 20_000 + "bank " * 20_000 + "check " * 20_000 + "send" + " " * 50_000 + "x"
    out = scam.text_signals("x", text)
    assert out["text_id_documents"] == 0
    assert signals("x", "ok")["upfront_fee"] == 0


def _python_only(title: str, description: str | None) -> dict[str, int]:
    """The signals with the Python patterns alone (no RE2 prefilter): what the prefilter must not change."""
    text = " ".join(f"{title}\n{description or ''}".lower().split())
    return {
        f"text_{name}": int(any(t in text for t in triggers) and bool(pattern.search(text)))
        for name, (pattern, triggers, _) in scam.PATTERNS.items()
    }


@pytest.mark.parametrize(
    "text",
    [
        *(t for _, t in HARD),
        ADVANCE_FEE,
        "Please send your idé by mail",  # a Unicode letter right after "id": no word boundary in Python's re
        "send your id",
        "résend your passport",  # no boundary before "send" either
        "Send a copy of your driver's licence and your social security number",
        "We mail you a chèque; mail you a check then wire it back, or the money back",
        "Pay you with gift cards ✓ or payment in bitcoinß",
        "Paid in crypto. Your wallet address, your bank account, bank details.",
        "Update the ID field, check the balance, bank holiday, crypto wallet app, gift card checkout.",
    ],
)
def test_the_re2_prefilter_never_changes_a_signal(text: str) -> None:
    assert scam.text_signals("Title", text) == _python_only("Title", text)


def test_each_prefilter_is_its_pattern_without_word_boundaries() -> None:
    for name, (pattern, _, _) in scam.PATTERNS.items():
        assert scam.PREFILTERS[name].pattern == pattern.pattern.replace(r"\b", "")
        assert r"\b" not in scam.PREFILTERS[name].pattern
        assert not re.search(r"\[[^\]]*\\b", pattern.pattern)  # no \b inside a class, stripped wrongly
    for name, text in HARD:
        assert scam.PREFILTERS[name].search(text.lower()) is not None
        assert scam.text_signals("x", text)[f"text_{name}"] == 1
