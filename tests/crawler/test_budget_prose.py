"""Budgets read from a description: fees and pitches are not budgets, and the words around a figure
give its kind (issue 14). Through the parser, then the CLI on a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from jobsift.cli import main
from jobsift.crawler.budget import parse_budget
from jobsift.crawler.budget_prose import budget_from_prose
from jobsift.crawler.charges import is_charge
from tests.crawler.sources.helpers import parse_bytes

NOT_BUDGETS = [
    "Pay a $50 registration fee for the starter kit",
    "Pay: earn $300 per day from home",
    "Rate: $20 deposit required before the first task",
    "Price: $35 for the training pack",
    "Budget: $99 kit, then earn more",
]


@pytest.mark.parametrize("text", NOT_BUDGETS)
def test_fees_deposits_kits_and_pitches_are_not_budgets(text: str) -> None:
    assert budget_from_prose(text) is None


def test_a_real_budget_after_a_fee_is_still_found() -> None:
    b = budget_from_prose("Pay a $50 registration fee for the starter kit. Budget: $300 fixed price")
    assert b is not None
    assert (b.min, b.max, b.kind) == (300, 300, "fixed")


def test_fee_in_a_budget_field_is_not_a_budget() -> None:
    b = parse_budget("$50 registration fee")
    assert b is not None
    assert b.min is None
    assert b.provenance == "none"


def test_is_charge_looks_at_the_phrase_only() -> None:
    assert is_charge("Pay a ", " registration fee")
    assert not is_charge("Budget: ", " (no fees)")
    assert not is_charge("Earn trust. Rate: ", " per day")
    assert is_charge("you will earn ", " a day")


KINDS = [
    ("Budget: $10", "fixed", 10),
    ("Budget (fixed): $250 for the logo", "fixed", 250),
    ("Budget: $15 - $25 hourly", "hourly", 25),
    ("Hourly budget: $10", "hourly", 10),
    ("Budget: $25 per hour", "hourly", 25),
    ("Rate: $30/hr", "hourly", 30),
    ("Pay: $40/h", "hourly", 40),
    ("Price: $900", "fixed", 900),
    ("Salary: $120,000 - $150,000 a year", "salary_year", 150000),
]


@pytest.mark.parametrize(("text", "kind", "top"), KINDS)
def test_kind_from_the_words_around_the_amount(text: str, kind: str, top: float) -> None:
    b = budget_from_prose(text)
    assert b is not None
    assert (b.kind, b.max, b.provenance) == (kind, top, "parsed_from_text")


FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>plain</title>
<item><title>Logo for a bakery</title><link>https://plain.example/1</link><guid>p1</guid>
<description>Need a logo with three revisions. Budget: $10</description></item>
<item><title>Data entry from home</title><link>https://plain.example/2</link><guid>p2</guid>
<description>Easy work. Pay a $50 registration fee for the starter kit and start today.</description></item>
</channel></rss>"""


def test_generic_rss_budget_gets_a_kind_and_a_fee_none() -> None:
    posts = {p.external_id: p for p in parse_bytes("rss", FEED.encode()).postings}
    assert posts["p1"].budget is not None
    assert (posts["p1"].budget.kind, posts["p1"].budget.max, posts["p1"].budget.provenance) == (
        "fixed",
        10,
        "parsed_from_text",
    )
    assert posts["p2"].budget is None


def test_lowball_fires_on_a_plain_feed_and_the_fee_shows_no_budget(tmp_path: Path) -> None:
    feed = tmp_path / "plain.rss"
    feed.write_text(FEED, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'j.db'}"
    runner = CliRunner()
    r = runner.invoke(main, ["--db", db, "import", str(feed), "--format", "rss"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["--db", db, "jobs", "--format", "json"])
    assert r.exit_code == 0, r.output
    jobs = {j["external_id"]: j for j in json.loads(r.stdout)}
    assert "lowball" in jobs["p1"]["flags"]
    assert jobs["p1"]["budget"]["kind"] == "fixed"
    assert jobs["p2"]["budget"] is None


def test_a_description_of_fees_only_stops_after_max_labels() -> None:
    from jobsift.crawler.budget_prose import MAX_LABELS

    text = "Pay a $1 registration fee. " * (MAX_LABELS + 5) + "Budget: $300"
    assert budget_from_prose(text) is None  # bounded work: past MAX_LABELS labelled figures, no budget
    assert budget_from_prose("Pay a $1 registration fee. " * 3 + "Budget: $300") is not None
