"""The declarative format: JSON, XML and HTML mapped with no Python; option errors name the key."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from jobsift.crawler.sources import get_format
from jobsift.errors import ConfigError
from tests.crawler.sources.helpers import assert_wellformed, by_id, parse_fixture

JSON_OPTIONS: dict[str, Any] = {
    "kind": "json",
    "items": "$.data.openings[*]",
    "base_url": "https://orchard.example",
    "fields": {
        "id": "ref",
        "title": "name",
        "url": "links.apply",
        "posted_at": "opened",
        "budget": "pay",
        "category": "team",
        "skills": "stack[*]",
        "location": "'where'",
        "company": "$.team",
    },
    "regex": {"budget": "Pay: (.*)"},
    "date_format": "%d/%m/%Y",
    "currency": "USD",
}
XML_OPTIONS: dict[str, Any] = {
    "kind": "xml",
    "items": "//jb:posting",
    "namespaces": {"jb": "urn:example:jobboard"},
    "fields": {
        "id": "@id",
        "title": "headline",
        "url": "href",
        "posted_at": "when",
        "budget_min": "pay/low",
        "budget_max": "pay/high",
        "currency": "pay/@currency",
        "budget_kind": "pay/@type",
        "client_name": "client",
        "payment_verified": "client/@verified",
        "client_spent": "client/@spent",
        "description": "summary",
        "skills": "tags/tag",
    },
    "date_format": "%Y-%m-%d %H:%M",
}
HTML_OPTIONS: dict[str, Any] = {
    "kind": "html",
    "items": "section.gig",
    "base_url": "https://maple.example",
    "fields": {
        "id": "@data-gig",
        "title": "h3.gig-title a",
        "url": "h3.gig-title a@href",
        "budget": "span.rate",
        "posted_at": "time@datetime",
        "description": "div.desc",
        "skills": "ul.skills li",
        "client_name": "span.client",
        "payment_verified": "span.client",
    },
    "regex": {"client_name": r"Client:\s*([^(]+?)\s*(?:\(|$)", "payment_verified": r"\((payment verified)\)"},
}


def test_declarative_json() -> None:
    r = parse_fixture("declarative", "careers.json", JSON_OPTIONS)
    assert_wellformed(r)
    assert r.items_seen == 3
    assert len(r.postings) == 2
    be = by_id(r)["OT-17"]
    assert be.title == "Backend Engineer"
    assert be.url == "https://orchard.example/jobs/ot-17"
    assert be.posted_at == datetime(2025, 3, 3, tzinfo=UTC)
    b = be.budget
    assert b is not None
    assert (b.kind, b.min, b.max, b.currency, b.provenance) == ("salary_year", 110000, 130000, "USD", "field")
    assert be.skills == ("Python", "Postgres")
    assert be.category == "Platform"
    assert be.location == "Remote (US)"
    lead = by_id(r)["OT-18"]
    assert lead.budget is not None
    assert lead.budget.min is None
    assert lead.budget.raw == "Negotiable"
    assert lead.posted_at == datetime(2025, 2, 28, tzinfo=UTC)


def test_declarative_xml_with_namespaces() -> None:
    r = parse_fixture("declarative", "board.xml", XML_OPTIONS)
    assert_wellformed(r)
    jobs = by_id(r)
    clinic = jobs["kx-501"]
    assert clinic.url == "https://board.example.net/p/kx-501"  # tracking parameter dropped
    assert clinic.budget is not None
    assert (clinic.budget.kind, clinic.budget.min, clinic.budget.max, clinic.budget.currency) == (
        "fixed",
        800,
        1200,
        "EUR",
    )
    assert clinic.client is not None
    assert (clinic.client.name, clinic.client.payment_verified, clinic.client.total_spent) == (
        "Clinica Sol",
        True,
        5400,
    )
    assert clinic.description_text == "Patient portal in Laravel."
    assert clinic.skills == ("PHP", "Laravel")
    assert clinic.posted_at == datetime(2025, 3, 4, 7, 45, tzinfo=UTC)
    logo = jobs["kx-502"]
    assert logo.client is not None
    assert logo.client.payment_verified is False
    assert logo.budget is not None
    assert logo.budget.max == 20


def test_declarative_html_css_selectors() -> None:
    r = parse_fixture("declarative", "listing.html", HTML_OPTIONS)
    assert_wellformed(r)
    assert r.items_seen == 3
    assert len(r.postings) == 2
    ill = by_id(r)["mw-11"]
    assert ill.title == "Illustrator for a children's book"
    assert ill.url == "https://maple.example/gigs/mw-11"
    assert ill.budget is not None
    assert (ill.budget.kind, ill.budget.min, ill.budget.currency) == ("hourly", 45, "EUR")
    assert ill.posted_at == datetime(2025, 3, 2, 9, tzinfo=UTC)
    assert ill.description_html == "<p>24 illustrations, watercolour style.</p>"
    assert ill.skills == ("Illustration", "Watercolour")
    assert ill.client is not None
    assert ill.client.name == "Maple Press"
    assert ill.client.payment_verified is True
    proof = by_id(r)["mw-12"]
    assert proof.budget is not None
    assert (proof.budget.kind, proof.budget.min, proof.budget.currency) == ("fixed", 300, "GBP")
    assert proof.client is not None
    assert proof.client.payment_verified is None


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"items": "$[*]", "fields": {"title": "t", "url": "u"}}, "kind"),
        ({"kind": "yaml", "items": "$[*]", "fields": {"title": "t", "url": "u"}}, "kind"),
        ({"kind": "json", "fields": {"title": "t", "url": "u"}}, "items"),
        ({"kind": "json", "items": "$[*", "fields": {"title": "t", "url": "u"}}, "items"),
        ({"kind": "json", "items": "$[*]", "fields": {"url": "u"}}, "fields.title"),
        ({"kind": "json", "items": "$[*]", "fields": {"title": "t"}}, "fields.url"),
        ({"kind": "json", "items": "$[*]", "fields": {"title": "t", "url": "u", "salary": "s"}}, "fields.salary"),
        ({"kind": "xml", "items": "//item[", "fields": {"title": "t", "url": "u"}}, "items"),
        ({"kind": "html", "items": "div..x", "fields": {"title": "t", "url": "u"}}, "items"),
        (
            {"kind": "json", "items": "$[*]", "fields": {"title": "t", "url": "u"}, "regex": {"title": "no group"}},
            "regex.title",
        ),
        (
            {"kind": "json", "items": "$[*]", "fields": {"title": "t", "url": "u"}, "regex": {"budget": "(x)"}},
            "regex.budget",
        ),
        (
            {"kind": "json", "items": "$[*]", "fields": {"title": "t", "url": "u"}, "regex": {"title": "(x"}},
            "regex.title",
        ),
        ({"kind": "json", "items": "$[*]", "fields": {"title": "t", "url": "u"}, "base_url": "ftp://x"}, "base_url"),
        (
            {"kind": "json", "items": "$[*]", "fields": {"title": "t", "url": "u"}, "budget_kind": "weekly"},
            "budget_kind",
        ),
    ],
)
def test_bad_options_name_the_key(options: dict[str, Any], key: str) -> None:
    fmt = get_format("declarative")
    with pytest.raises(ConfigError, match=rf"sources\[acme\]\.options\.{key.replace('.', '[.]')}"):
        fmt.parse(b"[]", {}, source="acme", options=options)


def test_unknown_option_rejected_by_registry() -> None:
    with pytest.raises(ConfigError, match="colour"):
        get_format("declarative").check_options({"kind": "json", "colour": "red"}, "sources[x]")
