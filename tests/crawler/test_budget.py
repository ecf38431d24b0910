"""Budget parsing (R17) and USD conversion."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsift.crawler.budget import infer_salary_kind, make_budget, parse_budget
from jobsift.crawler.currency import rates_date, to_usd

CASES = [
    # text, kind_hint, kind, min, max, currency
    ("$5k", None, None, 5000, 5000, "USD"),
    ("5.000 €", None, None, 5000, 5000, "EUR"),
    ("₹500/hr", None, "hourly", 500, 500, "INR"),
    ("$15.00-$35.00", "hourly", "hourly", 15, 35, "USD"),
    ("$120,000 - $150,000 a year", None, "salary_year", 120000, 150000, "USD"),
    ("€45/hour", None, "hourly", 45, 45, "EUR"),
    ("£300", "fixed", "fixed", 300, 300, "GBP"),
    ("USD 2,500", None, None, 2500, 2500, "USD"),
    ("$31,2k- $52k", None, None, 31200, 52000, "USD"),
    ("OTE $25k - $35k", None, "salary_year", 25000, 35000, "USD"),
    ("$50-70k", None, None, 50000, 70000, "USD"),
    ("up to $500", "fixed", "fixed", None, 500, "USD"),
    ("$500+", None, None, 500, None, "USD"),
    ("1.500,50 €", None, None, 1500.5, 1500.5, "EUR"),
    ("CHF 120'000 per year", None, "salary_year", 120000, 120000, "CHF"),
    ("$5,000/month", None, "salary_month", 5000, 5000, "USD"),
    ("A$1,200", None, None, 1200, 1200, "AUD"),
    ("between $10 and $20 per hour", None, "hourly", 10, 20, "USD"),
    ("1500", "fixed", "fixed", 1500, 1500, None),
]


@pytest.mark.parametrize(("text", "hint", "kind", "lo", "hi", "cur"), CASES)
def test_parse_budget_table(
    text: str, hint: str | None, kind: str | None, lo: float | None, hi: float | None, cur: str | None
) -> None:
    b = parse_budget(text, kind_hint=hint)  # type: ignore[arg-type]
    assert b is not None
    assert (b.kind, b.min, b.max, b.currency) == (kind, lo, hi, cur)
    assert b.raw == text
    assert b.provenance == "parsed_from_text"


@pytest.mark.parametrize("text", ["Negotiable", "0", "Competitive", "DOE", "3 years of experience", "$0"])
def test_no_amount_keeps_raw_and_unknown(text: str) -> None:
    b = parse_budget(text)
    assert b is not None
    assert b.min is None
    assert b.max is None
    assert b.min_usd is None
    assert b.raw == text
    assert b.provenance == "none"


def test_usd_conversion_and_currency_hint() -> None:
    b = parse_budget("500", kind_hint="fixed", currency_hint="eur")
    assert b is not None
    assert b.currency == "EUR"
    assert b.min_usd == to_usd(500, "EUR")
    assert b.min_usd is not None
    assert b.min_usd > 500
    inr = parse_budget("₹500/hr")
    assert inr is not None
    assert inr.max_usd is not None
    assert 3 < inr.max_usd < 10


def test_provenance_field_when_asked() -> None:
    b = parse_budget("$1,000", kind_hint="fixed", provenance="field")
    assert b is not None
    assert b.provenance == "field"
    assert b.min == 1000


def test_empty_input_is_none() -> None:
    assert parse_budget(None) is None
    assert parse_budget("   ") is None


def test_make_budget_from_fields() -> None:
    b = make_budget("750", 250, "usd", "fixed")
    assert b is not None
    assert (b.min, b.max, b.currency, b.min_usd, b.max_usd, b.provenance) == (250, 750, "USD", 250, 750, "field")
    assert make_budget(0, 0, "USD", "salary_year") is None  # zero means "not stated"
    assert make_budget(None, None, "USD", "fixed") is None
    unknown = make_budget(100, 200, "XYZ", "fixed")
    assert unknown is not None
    assert unknown.currency == "XYZ"
    assert unknown.min_usd is None


def test_to_usd_unknown_currency_is_none_never_guessed() -> None:
    assert to_usd(100, "XYZ") is None
    assert to_usd(100, None) is None
    assert to_usd(None, "USD") is None
    assert to_usd(100, "USD") == 100
    assert to_usd(94.955245, "INR") == 1.0  # the ECB's INR and USD rates of 2026-10-30
    assert to_usd(1000, "EUR") == 1117.2  # 1 EUR = 1.1172 USD that day
    assert rates_date().isoformat() == "2026-10-30"


def test_rate_table_says_where_each_rate_comes_from() -> None:
    import json

    from jobsift.crawler.currency import RATES_PATH

    table = json.loads(RATES_PATH.read_text(encoding="utf-8"))
    listed = [code for codes in table["sources"].values() for code in codes]
    assert sorted(listed) == sorted(table["per_usd"])  # each currency in exactly one source
    assert {"EUR", "GBP", "INR", "JPY"} <= set(table["sources"]["ecb"])
    assert table["per_usd"]["AED"] == 3.6725  # a peg stays a peg


def test_rate_table_is_rebuilt_from_ecb_reference_rates(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    ecb = tmp_path / "eurofxref-hist.csv"
    ecb.write_text("Date,USD,JPY,GBP,BGN,\n2026-10-30,1.25,150.0,0.8,N/A,\n2026-10-29,1.20,140.0,0.9,N/A,\n")
    out = tmp_path / "rates.json"
    out.write_text(json.dumps({"as_of": "2025-06-30", "per_usd": {"USD": 1.0, "NGN": 1530.0, "GBP": 0.7}}))
    script = Path(__file__).resolve().parents[2] / "scripts" / "build_usd_rates.py"
    subprocess.run([sys.executable, str(script), str(ecb), "--out", str(out)], check=True, capture_output=True)
    table = json.loads(out.read_text())
    assert table["as_of"] == "2026-10-30"  # the latest day in the file
    assert table["per_usd"]["EUR"] == 0.8  # 1 / 1.25
    assert table["per_usd"]["JPY"] == 120.0  # 150 / 1.25
    assert table["per_usd"]["GBP"] == 0.64  # the ECB's, not the old 0.7
    assert table["per_usd"]["BGN"] == round(1.95583 / 1.25, 6)  # fixed to the euro
    assert table["per_usd"]["NGN"] == 1530.0
    assert table["sources"]["approximate"] == ["NGN"]
    assert table["approximate_as_of"] == "2025-06-30"


def test_infer_salary_kind() -> None:
    assert infer_salary_kind(parse_budget("$80k")).kind == "salary_year"  # type: ignore[union-attr]
    assert infer_salary_kind(parse_budget("$80")).kind is None  # type: ignore[union-attr]
    assert infer_salary_kind(None) is None


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_r17_random_text_never_raises_and_keeps_raw(text: str) -> None:
    b = parse_budget(text)
    if text.strip():
        assert b is not None
        assert b.raw == text
        if b.min is not None and b.max is not None:
            assert b.min <= b.max
    else:
        assert b is None


@settings(max_examples=300, deadline=None)
@given(
    st.from_regex(
        r"[$€£₹]?\s?[0-9]{1,7}([.,][0-9]{1,3})?\s?[kK]?\s?(-\s?[$€£₹]?[0-9]{1,7}[kK]?)?"
        r"\s?(/hr|/hour| a year|/month)?",
        fullmatch=True,
    )
)
def test_r17_money_like_strings_parse_to_sane_numbers(text: str) -> None:
    b = parse_budget(text)
    assert b is not None
    assert b.raw == text
    for value in (b.min, b.max):
        assert value is None or (0 < value < 1e10)
