"""Filters from a query string: config defaults on a first visit, lenient parsing, round trips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.datastructures import QueryParams

from jobsift.config import FiltersConfig
from jobsift.publish.params import FilterParams
from jobsift.publish.values import parse_age

DEFAULTS = FiltersConfig(exclude_flags=["ghost"], min_quality=50.0, keywords=["python"])


def test_config_defaults_apply_only_when_no_filter_is_given() -> None:
    first = FilterParams.from_query(QueryParams("page=2"), defaults=DEFAULTS).to_filter()
    assert (first.exclude_flags, first.min_quality, first.keywords) == (("ghost",), 50.0, ("python",))
    submitted = FilterParams.from_query(QueryParams("f=1&q=react"), defaults=DEFAULTS).to_filter()
    assert (submitted.exclude_flags, submitted.min_quality, submitted.keywords) == ((), None, ("react",))


def test_lists_split_on_commas_and_repeats_and_out_of_range_pages_are_ignored() -> None:
    p = FilterParams.from_query(QueryParams("q=python, django&q=go&hide=ghost&page=-3&limit=100000"))
    f = p.to_filter(extra_limit=1)
    assert f.keywords == ("python", "django", "go")
    assert (p.page, p.limit, f.limit, f.offset) == (1, 50, 51, 0)
    assert set(p.invalid) == {"page", "limit"}
    assert p.invalid["limit"] == "100000 is out of range (from 1 to 500)"


def test_bad_values_become_problems_not_filters() -> None:
    p = FilterParams.from_query(QueryParams("f=1&min_quality=lots&age=soon&hide=spooky"))
    f = p.to_filter()
    assert f.min_quality is None
    assert f.since is None
    assert len(p.problems) == 3


def test_query_pairs_round_trip() -> None:
    p = FilterParams.from_query(QueryParams("f=1&q=a&skill=b&hide=ghost&min_quality=60&age=3d&order=quality&page=2"))
    again = FilterParams.from_query(QueryParams(p.query_pairs()))
    assert again.to_filter(now=datetime(2026, 1, 1, tzinfo=UTC)) == p.to_filter(now=datetime(2026, 1, 1, tzinfo=UTC))


def test_ages() -> None:
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    assert parse_age("12h", now) == now - timedelta(hours=12)
    assert parse_age("1w", now) == now - timedelta(weeks=1)
    assert parse_age("2026-11-01", now) == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_age("", now) is None
