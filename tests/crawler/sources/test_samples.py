"""Conformance: every format against the real third-party samples (skipped when absent)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jobsift.model import ParseResult
from tests.conftest import SAMPLES
from tests.crawler.sources.helpers import assert_wellformed, by_id, parse_bytes


def sample(folder: str, name: str) -> Path:
    path = SAMPLES / folder / name
    if not path.exists():
        pytest.skip(f"sample {folder}/{name} not present")
    return path


def parse_sample(fmt: str, folder: str, name: str, options: dict | None = None) -> ParseResult:
    result = parse_bytes(fmt, sample(folder, name).read_bytes(), options=options)
    assert_wellformed(result)
    return result


def test_upwork_rss_payment_verified_channel() -> None:
    r = parse_sample("upwork-rss", "upwork-rss", "idelstak-myrss_java.rss")
    assert len(r.postings) == 30
    assert not r.bozo
    assert all(p.client is not None and p.client.payment_verified is True for p in r.postings)
    budgets = [p.budget for p in r.postings if p.budget]
    assert len(budgets) == 21
    assert Counter(b.kind for b in budgets) == {"hourly": 10, "fixed": 11}
    assert all(b.currency == "USD" and b.provenance == "field" for b in budgets)
    first = r.postings[0]
    assert first.external_id == "~018036c463e1d2651e"
    assert first.title == "Java/Kotlin Expert Needed"
    assert first.budget is not None
    assert (first.budget.min, first.budget.max) == (30, 54)
    assert first.category == "Mobile App Development"
    assert first.country == "United States"
    assert first.skills[:2] == ("Java", "Kotlin")
    assert first.posted_at == datetime(2024, 7, 19, 4, 41, 34, tzinfo=UTC)
    assert "?source=rss" not in first.url


def test_upwork_rss_unfiltered_channels() -> None:
    swing = parse_sample("upwork-rss", "upwork-rss", "idelstak-myrss_swing.rss")
    assert len(swing.postings) == 7
    assert all(p.client is None or p.client.payment_verified is None for p in swing.postings)
    assert sorted(p.budget.max for p in swing.postings if p.budget and p.budget.kind == "hourly") == [5, 55]
    laravel = parse_sample("upwork-rss", "upwork-rss", "vadim-nov_jobs-laravel.xml")
    assert len(laravel.postings) == 30
    kinds = Counter(p.budget.kind for p in laravel.postings if p.budget)
    assert kinds == {"fixed": 16}  # the 2019 feed has no hourly ranges
    assert all(p.category == "Web, Mobile & Software Dev > Web Development" for p in laravel.postings)
    assert all(p.posted_at and p.posted_at.year == 2019 for p in laravel.postings)


def test_upwork_graphql_search_sample() -> None:
    r = parse_sample("upwork-graphql", "upwork-detail", "milllan_1_job_search_api_example.json")
    (p,) = r.postings
    assert p.external_id == "~021934324853507450527"
    assert p.title == "Mobile Site Speed Optimization Expert Needed"
    assert p.budget is not None
    assert (p.budget.kind, p.budget.min, p.budget.currency) == ("fixed", 75, "USD")
    c = p.client
    assert c is not None
    assert (c.payment_verified, c.total_spent, c.reviews_count, c.rating, c.country) == (
        True,
        8098.49,
        58,
        4.78,
        "United States",
    )
    assert p.competition is not None
    assert p.competition.proposals == 13
    assert p.experience_level == "intermediate"
    assert p.posted_at == datetime(2025, 6, 15, 18, 59, 18, 224000, tzinfo=UTC)


def test_upwork_graphql_details_sample() -> None:
    r = parse_sample("upwork-graphql", "upwork-detail", "milllan_2_job_details_api_example.json")
    (p,) = r.postings
    assert p.external_id == "~021934618938655086735"  # from the saved request's variables
    c = p.client
    assert c is not None
    assert (c.payment_verified, c.total_spent, c.jobs_with_hires, c.reviews_count, c.rating) == (
        True,
        807509.95,
        197,
        138,
        4.99,
    )
    assert c.country == "United States"
    assert c.jobs_posted is None
    assert c.hire_rate is None
    assert p.competition is None  # every activity figure is null: unknown, not zero


def test_remoteok_sample() -> None:
    r = parse_sample("remoteok", "remoteok", "opencruit_remoteok_response.json")
    assert r.items_seen == 5
    assert len(r.postings) == 4
    jobs = by_id(r)
    vc = jobs["1130489"]
    assert vc.budget is not None
    assert (vc.budget.kind, vc.budget.min, vc.budget.max, vc.budget.currency) == ("salary_year", 90000, 110000, "USD")
    assert vc.company == "vCluster Labs"
    assert sum(1 for p in r.postings if p.budget) == 1
    assert jobs["1130495"].posted_at == datetime(2026, 2, 22, 0, 0, 4, tzinfo=UTC)
    assert "Product Manager – Customer Care" in (jobs["1130495"].description_text or "")  # mojibake repaired


def test_remotive_samples_with_bom() -> None:
    r = parse_sample("remotive", "remotive", "PriyanshuTarsauliya-WorkVerse_remotive.json")
    assert len(r.postings) == 35
    budgets = [p.budget for p in r.postings if p.budget]
    assert len(budgets) == 27
    assert all(b.provenance == "parsed_from_text" and b.currency == "USD" for b in budgets)
    raw = {b.raw: b for b in budgets}
    assert (raw["$31,2k- $52k"].min, raw["$31,2k- $52k"].max) == (31200, 52000)
    assert (raw["$18 - $22/hr"].kind, raw["$18 - $22/hr"].min) == ("hourly", 18)
    assert (raw["$150k - $230k"].kind, raw["$150k - $230k"].max) == ("salary_year", 230000)
    assert (raw["OTE $25k - $35k"].min, raw["OTE $25k - $35k"].kind) == (25000, "salary_year")
    small = parse_sample("remotive", "remotive", "opencruit_remotive_response.json")
    assert len(small.postings) == 3
    hourly = [p.budget for p in small.postings if p.budget]
    assert len(hourly) == 1
    assert (hourly[0].kind, hourly[0].min, hourly[0].max) == ("hourly", 120, 170)
    assert all(p.posted_at and p.posted_at.tzinfo is UTC for p in small.postings)


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("maentx_remote-back-end-programming-jobs.rss", 59),
        ("maentx_remote-customer-support-jobs.rss", 27),
        ("maentx_remote-design-jobs.rss", 22),
        ("maentx_remote-devops-sysadmin-jobs.rss", 30),
    ],
)
def test_weworkremotely_samples(name: str, count: int) -> None:
    r = parse_sample("weworkremotely", "weworkremotely", name)
    assert len(r.postings) == count
    assert not r.bozo
    assert all(p.company and p.location and p.category and p.job_type for p in r.postings)
    assert all(p.posted_at and 2019 <= p.posted_at.year <= 2022 for p in r.postings)
    assert all(":" not in p.title.split(" ")[0] for p in r.postings)


def test_weworkremotely_title_split() -> None:
    r = parse_sample("weworkremotely", "weworkremotely", "maentx_remote-back-end-programming-jobs.rss")
    p = r.postings[0]
    assert (p.company, p.title, p.location, p.job_type) == (
        "FinDox Inc",
        "Senior C# and PostgreSQL Backend Developer",
        "Anywhere in the World",
        "Full-Time",
    )


def test_arbeitnow_sample() -> None:
    r = parse_sample("arbeitnow", "arbeitnow", "opencruit_arbeitnow_response.json")
    assert len(r.postings) == 3
    assert [p.remote for p in r.postings] == [True, False, False]
    assert all(p.company == "Kjavik" and p.location == "Munich" for p in r.postings)
    assert r.postings[0].posted_at == datetime.fromtimestamp(1771875104, tz=UTC)
    assert "Barfußschuhe" in (r.postings[0].description_text or "")


def test_jobicy_sample() -> None:
    r = parse_sample("jobicy", "jobicy", "opencruit_jobicy_response.json")
    jobs = by_id(r)
    assert set(jobs) == {"139808", "139807", "139806"}
    assert jobs["139807"].category == "HR & Recruiting"
    assert (jobs["139808"].experience_level, jobs["139807"].experience_level) == ("expert", "intermediate")
    assert jobs["139808"].location == "Denmark"
    assert jobs["139808"].company == "Akamai Technologies"
    assert jobs["139808"].posted_at == datetime(2026, 2, 23, 15, 17, 26, tzinfo=UTC)
    assert all(p.budget is None for p in r.postings)  # no salary in these items: unknown


def test_freelancer_sample() -> None:
    r = parse_sample("freelancer", "freelancer", "imchetanyadav-freelance-data_freelancer.json")
    assert len(r.postings) == 98
    assert Counter(p.budget.currency for p in r.postings if p.budget) == {
        "USD": 42,
        "INR": 27,
        "GBP": 11,
        "AUD": 8,
        "EUR": 8,
        "SGD": 1,
        "CAD": 1,
    }
    jobs = by_id(r)
    web = jobs["26230828"].budget
    assert web is not None
    assert (web.min, web.max, web.currency, web.min_usd) == (200, 500, "USD", 200)
    inr = jobs["26230827"].budget
    assert inr is not None
    assert inr.currency == "INR"
    assert inr.max_usd is not None
    assert inr.max_usd < 10
    assert all(p.client is None for p in r.postings)  # this trimmed copy has no owner: unknown
    assert jobs["26230828"].posted_at == datetime.fromtimestamp(1593000029, tz=UTC)


def test_declarative_json_on_scraped_upwork_sample() -> None:
    options = {
        "kind": "json",
        "items": "$[*]",
        "fields": {
            "title": "title",
            "url": "link",
            "description": "description",
            "budget": "typeOfJob.budget",
            "budget_kind": "typeOfJob.type",
            "payment_verified": "paymentverified",
        },
        "regex": {"budget_kind": "(?i)(hourly|fixed)"},
    }
    r = parse_sample("declarative", "upwork-scraped", "RidaEn-nasry-upwork-bot_jobs.json", options)
    assert len(r.postings) == 34
    verified = Counter(p.client.payment_verified for p in r.postings if p.client)
    assert verified[True] > 0
    assert verified[False] > 0
    hourly = [p.budget for p in r.postings if p.budget and p.budget.min is not None and p.budget.kind == "hourly"]
    assert hourly
    assert all(b.currency == "USD" for b in hourly)


def test_declarative_html_on_saved_upwork_search_page() -> None:
    options = {
        "kind": "html",
        "items": "article.job-tile",
        "base_url": "https://www.upwork.com",
        "fields": {
            "id": "@data-ev-job-uid",
            "title": "a[data-test=job-tile-title-link]",
            "url": "a[data-test=job-tile-title-link]@href",
            "budget": "ul.job-tile-info-list",
            "payment_verified": "li[data-test=payment-verified]",
            "client_spent": "li[data-test=total-spent] strong",
            "country": "li[data-test=location] .rr-mask",
            "description": "p.text-body-sm",
        },
        "regex": {"payment_verified": r"(?i)payment\s+(verified|unverified)", "country": r"(?:Location\s*)?(\S.*)"},
    }
    r = parse_sample(
        "declarative", "upwork-search-html", "richardadonnell_example_logged_in_search_html_structure.html", options
    )
    assert len(r.postings) == 10
    assert all(p.url.startswith("https://www.upwork.com/jobs/") for p in r.postings)
    assert all(p.client is not None and p.client.payment_verified is True for p in r.postings)
    first = by_id(r)["2024696422907076268"]
    assert first.budget is not None
    assert (first.budget.kind, first.budget.min) == ("fixed", 250)
    assert first.client is not None
    assert first.client.total_spent == 200
    assert first.country == "Paraguay"
    assert Counter(p.budget.kind for p in r.postings if p.budget) == {"fixed": 7, "hourly": 3}
