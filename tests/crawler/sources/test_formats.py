"""Each built-in format against fixtures the project wrote in the real formats."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from jobsift.crawler.sources import all_formats, builtin_modules
from tests.crawler.sources.helpers import assert_wellformed, by_id, parse_fixture

EXPECTED_FORMATS = {
    "rss",
    "upwork-rss",
    "upwork-graphql",
    "remoteok",
    "remotive",
    "weworkremotely",
    "arbeitnow",
    "jobicy",
    "himalayas",
    "freelancer",
    "hn-algolia",
    "declarative",
}


def test_every_builtin_format_is_registered_and_documented() -> None:
    formats = all_formats()
    assert set(formats) >= EXPECTED_FORMATS
    assert {"rss", "freelancer", "declarative"} <= set(builtin_modules())
    for fmt in EXPECTED_FORMATS:
        assert formats[fmt].description
        assert formats[fmt].example_url.startswith("https://")


def test_a_broken_source_module_fails_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import jobsift.crawler.sources as sources

    (tmp_path / "broken_format.py").write_text("import jobsift_no_such_module\n", encoding="utf-8")
    monkeypatch.setattr(sources, "__path__", [*sources.__path__, str(tmp_path)])
    monkeypatch.setattr(sources, "_loaded", False)
    monkeypatch.setattr(sources, "_REGISTRY", {})
    with pytest.raises(ModuleNotFoundError, match="jobsift_no_such_module"):
        sources.all_formats()


def test_every_registered_format_is_in_docs_sources() -> None:
    doc = (Path(__file__).resolve().parents[3] / "docs" / "sources.md").read_text(encoding="utf-8")
    missing = [name for name in all_formats() if f"`{name}`" not in doc]
    assert not missing, f"docs/sources.md does not list: {missing}"


def test_rss_generic() -> None:
    r = parse_fixture("rss", "basic.rss")
    assert_wellformed(r)
    assert len(r.postings) == 2
    assert not r.bozo
    p = by_id(r)["example-1001"]
    assert p.title == "Senior Rust Engineer"
    assert p.url.startswith("https://jobs.example.com/rust-engineer")
    assert p.posted_at == datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
    assert p.category == "Engineering"
    assert p.skills == ("Rust",)
    assert p.company == "Example Co"
    assert "<script" not in (p.description_html or "")
    assert "alert" in str(p.raw["description"])
    assert "Café perks – naïve" in (p.description_text or "")
    support = by_id(r)["https://jobs.example.com/support"]  # link as id, tracking parameter dropped
    assert support.description_text == "Answer customer tickets & write help articles."


def test_rss_atom() -> None:
    r = parse_fixture("rss", "basic.atom")
    (p,) = r.postings
    assert p.external_id == "urn:example:job:42"
    assert p.url == "https://atom.example.org/jobs/42"
    assert p.posted_at == datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
    assert p.company == "Atom Example GmbH"
    assert p.description_text == "Vue 3, TypeScript."


def test_upwork_rss_fields_budget_and_verified_channel() -> None:
    r = parse_fixture("upwork-rss", "verified.rss")
    assert_wellformed(r)
    assert len(r.postings) == 3
    jobs = by_id(r)
    fixed = jobs["~01aa11bb22cc33dd44"]
    assert fixed.title == "Django REST API for a booking app"
    assert fixed.url == "https://www.upwork.com/jobs/Django-REST-API-for-booking-app_%7E01aa11bb22cc33dd44"
    b = fixed.budget
    assert b is not None
    assert (b.kind, b.min, b.max, b.currency, b.max_usd, b.provenance) == ("fixed", 1200, 1200, "USD", 1200, "field")
    assert fixed.category == "Back-End Development"
    assert fixed.skills == ("Python", "Django", "REST API", "Stripe")
    assert fixed.country == "Germany"
    assert fixed.client is not None
    assert fixed.client.payment_verified is True
    assert fixed.client.country == "Germany"
    assert fixed.posted_at == datetime(2025, 3, 3, 8, 41, 12, tzinfo=UTC)
    assert "Budget" not in (fixed.description_text or "")
    assert "Tests required." in (fixed.description_text or "")
    hourly = jobs["~01ee55ff66aa77bb88"].budget
    assert hourly is not None
    assert (hourly.kind, hourly.min, hourly.max) == ("hourly", 25, 45)
    assert jobs["~01ee55ff66aa77bb88"].title == "Data pipeline engineer (Airflow & dbt)"
    none = jobs["~01123456789abcdef0"]
    assert none.budget is None
    assert none.category == "Scripts & Utilities"


def test_upwork_rss_unfiltered_channel_leaves_payment_unknown() -> None:
    from tests.crawler.sources.helpers import FIXTURES, parse_bytes

    body = (FIXTURES / "upwork-rss" / "verified.rss").read_bytes().replace(b"Payment verified jobs", b"All jobs")
    r = parse_bytes("upwork-rss", body)
    assert all(p.client is not None and p.client.payment_verified is None for p in r.postings)


def test_upwork_graphql_search() -> None:
    r = parse_fixture("upwork-graphql", "search.json")
    assert_wellformed(r)
    jobs = by_id(r)
    good, bad = jobs["~021900000000000000001"], jobs["~021900000000000000002"]
    assert good.url == "https://www.upwork.com/jobs/~021900000000000000001"
    assert good.budget is not None
    assert (good.budget.kind, good.budget.min, good.budget.currency) == ("fixed", 900, "USD")
    assert good.experience_level == "expert"
    assert good.skills == ("FastAPI", "Python")
    assert good.client is not None
    assert (
        good.client.payment_verified,
        good.client.total_spent,
        good.client.reviews_count,
        good.client.rating,
        good.client.country,
    ) == (True, 15230.5, 12, 4.9, "Netherlands")
    assert good.competition is not None
    assert good.competition.proposals == 7
    assert good.posted_at == datetime(2025, 3, 4, 10, 15, tzinfo=UTC)
    assert good.description_html == (
        "<p>Build a FastAPI service that renders PDF invoices.</p><p>Must include tests.</p>"
    )
    assert bad.client is not None
    assert bad.client.payment_verified is False
    assert bad.client.total_spent is None
    assert bad.budget is not None
    assert (bad.budget.kind, bad.budget.min, bad.budget.max) == ("hourly", 5, 8)
    assert bad.experience_level == "entry"
    assert bad.competition is not None
    assert bad.competition.proposals == 50


def test_upwork_graphql_details_client_and_activity() -> None:
    r = parse_fixture("upwork-graphql", "details.json")
    (p,) = r.postings
    assert p.external_id == "~021911111111111111111"
    assert p.title == "React Native developer for a fitness app"
    c = p.client
    assert c is not None
    assert c.key == "1234567890"
    assert c.name == "Fitco"
    assert c.payment_verified is False
    assert (c.total_spent, c.jobs_posted, c.jobs_with_hires, c.hire_rate, c.open_jobs) == (0, 30, 0, 0.0, 6)
    assert (c.reviews_count, c.rating, c.country) == (1, 3.5, "United States")
    assert c.member_since == datetime(2019, 6, 15, tzinfo=UTC)
    comp = p.competition
    assert comp is not None
    assert (comp.proposals, comp.interviewing, comp.invites_sent) == (42, 0, 5)
    assert (comp.unanswered_invites, comp.hires) == (3, 0)
    assert comp.last_client_activity_at == datetime(2025, 2, 10, 8, tzinfo=UTC)
    assert p.budget is not None
    assert (p.budget.kind, p.budget.min, p.budget.max) == ("hourly", 30, 60)
    assert p.category == "Mobile Development"
    assert p.experience_level == "intermediate"


def test_upwork_graphql_public_api_shape() -> None:
    r = parse_fixture("upwork-graphql", "api_search.json")
    (p,) = r.postings
    assert p.budget is not None
    assert (p.budget.kind, p.budget.min) == ("fixed", 350)
    c = p.client
    assert c is not None
    assert (c.payment_verified, c.jobs_posted, c.jobs_with_hires, c.hire_rate) == (True, 12, 9, 0.75)
    assert c.total_spent == 4100
    assert c.country == "Poland"
    assert p.skills == ("Polish", "Translation")


def test_upwork_graphql_errors_are_parse_errors() -> None:
    from jobsift.errors import ParseError
    from tests.crawler.sources.helpers import parse_bytes

    with pytest.raises(ParseError, match="Unauthorized"):
        parse_bytes("upwork-graphql", b'{"errors": [{"message": "Unauthorized"}]}')


def test_remoteok_skips_legal_notice_and_reads_salary() -> None:
    r = parse_fixture("remoteok", "api.json")
    assert_wellformed(r)
    assert r.items_seen == 3
    assert len(r.postings) == 2
    go = by_id(r)["200001"]
    assert go.title == "Senior Go Engineer"
    assert go.company == "Gopherworks"
    assert go.budget is not None
    assert (go.budget.kind, go.budget.min, go.budget.max, go.budget.currency) == ("salary_year", 120000, 150000, "USD")
    assert go.posted_at == datetime.fromtimestamp(1741080000, tz=UTC)
    assert "Go services – gRPC" in (go.description_text or "")  # mojibake repaired
    assert go.skills == ("golang", "backend", "kubernetes")
    assert go.remote is True
    assert by_id(r)["200002"].budget is None  # 0/0 means not stated


def test_remotive_bom_and_salary_text() -> None:
    r = parse_fixture("remotive", "jobs.json")
    assert_wellformed(r)
    jobs = by_id(r)
    assert len(jobs) == 4
    py = jobs["3000001"].budget
    assert py is not None
    assert (py.kind, py.min, py.max, py.currency) == ("salary_year", 60000, 75000, "EUR")
    assert py.provenance == "parsed_from_text"
    assert py.min_usd is not None
    assert py.min_usd > 60000
    ux = jobs["3000002"].budget
    assert ux is not None
    assert (ux.kind, ux.min, ux.max, ux.currency) == ("hourly", 50, 75, "USD")
    assert jobs["3000003"].budget is None
    comp = jobs["3000004"].budget
    assert comp is not None
    assert comp.min is None
    assert comp.raw == "Competitive"
    assert jobs["3000001"].posted_at == datetime(2025, 3, 3, 10, tzinfo=UTC)
    assert jobs["3000001"].location == "Europe"
    assert jobs["3000001"].job_type == "full_time"


def test_weworkremotely() -> None:
    r = parse_fixture("weworkremotely", "jobs.rss")
    assert_wellformed(r)
    assert len(r.postings) == 3
    p = r.postings[0]
    assert (p.company, p.title, p.location, p.category, p.job_type) == (
        "Northwind Labs",
        "Senior Elixir Developer",
        "Anywhere in the World",
        "Back-End Programming",
        "Full-Time",
    )
    assert p.raw is not None
    assert p.raw["headquarters"] == "Lisbon, Portugal"
    assert "& a 4-day week" in (p.description_text or "")
    assert r.postings[2].company is None
    assert r.postings[2].title == "Docs Writer Wanted"


def test_arbeitnow() -> None:
    r = parse_fixture("arbeitnow", "page.json")
    assert_wellformed(r)
    p = by_id(r)["backend-developer-php-berlin-123456"]
    assert p.company == "Spreewerk GmbH"
    assert p.remote is True
    assert p.location == "Berlin"
    assert p.job_type == "Full Time, Berufserfahren"
    assert "Grüße aus Berlin" in (p.description_text or "")
    assert p.posted_at == datetime.fromtimestamp(1741000000, tz=UTC)
    assert by_id(r)["werkstudent-marketing-hamburg-654321"].remote is False
    assert r.next_url == "https://www.arbeitnow.com/api/job-board-api?page=2"


def test_jobicy() -> None:
    r = parse_fixture("jobicy", "jobs.json")
    assert_wellformed(r)
    p = by_id(r)["140001"]
    assert p.budget is not None
    assert (p.budget.kind, p.budget.min, p.budget.max, p.budget.currency) == ("salary_year", 70000, 90000, "EUR")
    assert p.category == "Data Science & Analytics"
    assert p.experience_level == "expert"
    assert p.location == "EMEA"
    assert p.posted_at == datetime(2025, 3, 4, 8, tzinfo=UTC)
    assert by_id(r)["140002"].budget is None


def test_himalayas() -> None:
    r = parse_fixture("himalayas", "jobs.json")
    assert_wellformed(r)
    assert len(r.postings) == 2
    p = r.postings[0]
    assert p.external_id == "https://himalayas.app/companies/cloudberry/jobs/staff-platform-engineer"
    assert "utm_source" not in p.url
    assert p.budget is not None
    assert (p.budget.kind, p.budget.min, p.budget.max) == ("salary_year", 150000, 185000)
    assert p.location == "United States, Canada"
    assert p.category == "Platform Engineering"
    assert p.experience_level == "expert"
    assert p.job_type == "Full Time"
    assert p.posted_at == datetime.fromtimestamp(1741060000, tz=UTC)
    junior = r.postings[1]
    assert junior.budget is None
    assert junior.experience_level == "entry"
    assert junior.description_text is None


def test_freelancer_full_api() -> None:
    r = parse_fixture("freelancer", "projects.json")
    assert_wellformed(r)
    jobs = by_id(r)
    shop = jobs["39000001"]
    assert shop.url == "https://www.freelancer.com/projects/shopify/shopify-store-setup"
    assert shop.budget is not None
    assert (shop.budget.kind, shop.budget.min, shop.budget.max, shop.budget.currency) == ("fixed", 250, 750, "USD")
    assert shop.competition is not None
    assert shop.competition.proposals == 23
    c = shop.client
    assert c is not None
    assert (c.key, c.payment_verified, c.country, c.rating, c.reviews_count) == ("7001", True, "United States", 4.8, 31)
    assert shop.skills == ("Shopify", "eCommerce")
    logo = jobs["39000002"]
    assert logo.budget is not None
    assert logo.budget.currency == "INR"
    assert logo.budget.max_usd is not None
    assert logo.budget.max_usd < 30
    assert logo.client is not None
    assert logo.client.payment_verified is False
    wp = jobs["39000003"]
    assert wp.budget is not None
    assert (wp.budget.kind, wp.budget.currency) == ("hourly", "GBP")
    assert wp.client is not None
    assert wp.client.payment_verified is None
    assert wp.posted_at == datetime.fromtimestamp(1741030000, tz=UTC)


def test_hn_algolia_search_hits() -> None:
    r = parse_fixture("hn-algolia", "search.json")
    assert_wellformed(r)
    jobs = by_id(r)
    assert set(jobs) == {"43000001", "43000002", "43000004"}  # reply and deleted comment dropped
    acme = jobs["43000001"]
    assert (acme.company, acme.title, acme.location, acme.remote) == (
        "Acme Robotics",
        "Senior Embedded Engineer",
        "Munich, Germany",
        True,
    )
    b = acme.budget
    assert b is not None
    assert (b.kind, b.min, b.max, b.currency, b.provenance) == ("salary_year", 85000, 105000, "EUR", "parsed_from_text")
    assert acme.url == "https://news.ycombinator.com/item?id=43000001"
    assert acme.posted_at == datetime.fromtimestamp(1741017600, tz=UTC)
    tiny = jobs["43000002"]
    assert tiny.remote is False
    assert tiny.job_type == "Full-time"
    assert tiny.location == "NYC"
    assert tiny.budget is not None
    assert (tiny.budget.min, tiny.budget.max) == (150000, 180000)
    shop = jobs["43000004"].budget
    assert shop is not None
    assert (shop.kind, shop.min) == ("hourly", 90)


def test_hn_algolia_item_children() -> None:
    r = parse_fixture("hn-algolia", "item.json")
    assert [p.external_id for p in r.postings] == ["43000001", "43000004"]
    assert r.postings[0].title == "Senior Embedded Engineer"
