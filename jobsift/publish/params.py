"""Filters as people type them (web form, feed URL, CLI flags) turned into one ``JobFilter``.

The web page, both feeds, the JSON API, ``jobsift feed`` and ``jobsift export`` all go through
``FilterParams.to_filter`` so a filter means the same thing everywhere. A value that is not a
number, an age, a known flag or in range is never passed to SQL: it is recorded in ``invalid``
(parameter name -> why) and ``problems`` (one line each). The web page shows what it ignored and
why; the feeds and the JSON API answer 422 naming the parameter; the CLI says it in one line and
exits 2 (R36). Every value that reaches SQL is bound as a parameter by ``jobsift.store.queries``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from jobsift.config import FiltersConfig
from jobsift.publish.values import MAX_TEXT, num_text, parse_age, parse_number, split_list
from jobsift.store.queries import JobFilter

#: Ages offered by the web form's select; any other age still works in a URL.
AGE_CHOICES = (("", "any time"), ("1d", "last day"), ("3d", "3 days"), ("7d", "a week"), ("30d", "30 days"))
ORDERS = ("newest", "quality")
MAX_LIMIT = 500
MAX_PAGE = 100_000


@dataclass
class FilterParams:
    """The filters of one request, as text. ``exclude_flags`` hides, ``require_flags`` keeps only."""

    keywords: list[str] = field(default_factory=list)
    exclude_keywords: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    exclude_flags: list[str] = field(default_factory=list)
    require_flags: list[str] = field(default_factory=list)
    min_quality: str | float | None = None
    min_budget: str | float | None = None
    age: str | None = None
    order: str = "newest"
    page: int = 1
    limit: int | None = 50
    problems: list[str] = field(default_factory=list)
    invalid: dict[str, str] = field(default_factory=dict)  # parameter -> why it was ignored

    def reject(self, name: str, why: str) -> None:
        """Record an ignored parameter (once per name)."""
        if name not in self.invalid:
            self.invalid[name] = why
            self.problems.append(f"{name}: {why} (ignored)")

    def in_use(self) -> int:
        """How many filters narrow the list (shown on the folded form)."""
        lists = (
            self.keywords,
            self.exclude_keywords,
            self.skills,
            self.sources,
            self.countries,
            self.exclude_flags,
            self.require_flags,
        )
        single = (self.min_quality, self.min_budget, self.age)
        return sum(1 for v in lists if v) + sum(1 for v in single if v not in (None, ""))

    @classmethod
    def from_query(cls, query: Any, *, page_size: int = 50, defaults: FiltersConfig | None = None) -> FilterParams:
        """From a Starlette ``QueryParams`` (or any ``getlist``/``get`` mapping).

        ``defaults`` (the ``[filters]`` config) apply only when the request sets no filter at
        all, so the first visit shows the user's usual view and a submitted form is taken as is.
        """
        keys = set(query.keys())
        filter_keys = {
            "q",
            "skill",
            "source",
            "country",
            "hide",
            "flag",
            "min_quality",
            "min_budget",
            "age",
            "f",
            "exclude",
        }
        p = cls()
        if defaults is not None and not keys & filter_keys:
            p = cls.from_config(defaults)
        else:
            p.keywords = split_list(query.getlist("q"))
            p.exclude_keywords = split_list(query.getlist("exclude"))
            p.skills = split_list(query.getlist("skill"))
            p.sources = split_list(query.getlist("source"))
            p.countries = split_list(query.getlist("country"))
            p.exclude_flags = split_list(query.getlist("hide"))
            p.require_flags = split_list(query.getlist("flag"))
            p.min_quality = (query.get("min_quality") or "")[:MAX_TEXT] or None
            p.min_budget = (query.get("min_budget") or "")[:MAX_TEXT] or None
            p.age = (query.get("age") or "")[:MAX_TEXT] or None
        order = query.get("order") or "newest"
        p.order = order if order in ORDERS else "newest"
        if order not in ORDERS:
            p.reject("order", f"{order[:40]!r} is not one of {', '.join(ORDERS)}")
        p.page = _int(p, "page", query.get("page"), 1, 1, MAX_PAGE)
        p.limit = _int(p, "limit", query.get("limit"), page_size, 1, MAX_LIMIT)
        return p

    @classmethod
    def from_config(cls, f: FiltersConfig) -> FilterParams:
        return cls(
            keywords=list(f.keywords),
            exclude_keywords=list(f.exclude_keywords),
            countries=list(f.countries),
            exclude_flags=list(f.exclude_flags),
            min_quality=f.min_quality or None,
        )

    def over_config(self, f: FiltersConfig) -> FilterParams:
        """These (command-line) filters on top of the ``[filters]`` config, as ``jobs``/``feed``/``export`` read them.

        Filters that hide add up: ``exclude_flags`` and ``exclude_keywords`` are the config's plus
        these. Filters that narrow to a set or a threshold are replaced when given here:
        ``keywords``, ``countries`` and ``min_quality`` come from the config only when these leave
        them unset. ``skills`` and ``blocked_clients`` are scoring preferences, not listing filters.
        """
        base = FilterParams.from_config(f)

        def union(a: list[str], b: list[str]) -> list[str]:
            return a + [x for x in b if x not in a]

        return replace(
            self,
            exclude_flags=union(base.exclude_flags, self.exclude_flags),
            exclude_keywords=union(base.exclude_keywords, self.exclude_keywords),
            keywords=self.keywords or base.keywords,
            countries=self.countries or base.countries,
            min_quality=self.min_quality if self.min_quality not in (None, "") else base.min_quality,
            problems=list(self.problems),
        )

    def to_filter(self, *, now: datetime | None = None, extra_limit: int = 0) -> JobFilter:
        """The bound ``JobFilter``; ``extra_limit`` asks for one more row to detect a next page."""
        problems: list[str] = []
        since = None
        try:
            since = parse_age(self.age, now)
        except ValueError as exc:
            self.reject("age", str(exc))
        known: Sequence[str] = ()
        if self.exclude_flags or self.require_flags:  # the flag modules load only for a filter naming one
            from jobsift.scoring.flags import flag_codes

            known = flag_codes()
        for name, flags in (("hide", self.exclude_flags), ("flag", self.require_flags)):
            unknown = [f for f in flags if f not in known]
            if unknown:
                self.reject(name, f"unknown flag {unknown[0][:40]!r}: known flags are {', '.join(known)}")
        min_quality = parse_number(self.min_quality, "min_quality", problems, 0, 100)
        min_budget = parse_number(self.min_budget, "min_budget", problems, 0, 1e12)
        for line in problems:
            name, _, why = line.partition(": ")
            self.reject(name, why.removesuffix(" (ignored)"))
        return JobFilter(
            since=since,
            sources=tuple(self.sources),
            min_quality=min_quality,
            exclude_flags=tuple(f for f in self.exclude_flags if f in known),
            require_flags=tuple(f for f in self.require_flags if f in known),
            keywords=tuple(self.keywords),
            exclude_keywords=tuple(self.exclude_keywords),
            skills=tuple(self.skills),
            countries=tuple(self.countries),
            min_budget_usd=min_budget,
            limit=None if self.limit is None else self.limit + extra_limit,
            offset=0 if self.limit is None else (self.page - 1) * self.limit,
            order=self.order,
        )

    def query_pairs(self, **changes: Any) -> list[tuple[str, str]]:
        """These filters as URL query pairs (for feed links and pagination)."""
        p = replace(self, **changes) if changes else self
        pairs: list[tuple[str, str]] = [("f", "1")]
        for key, values in (
            ("q", p.keywords),
            ("exclude", p.exclude_keywords),
            ("skill", p.skills),
            ("source", p.sources),
            ("country", p.countries),
            ("hide", p.exclude_flags),
            ("flag", p.require_flags),
        ):
            pairs += [(key, v) for v in values]
        for key, value in (("min_quality", p.min_quality), ("min_budget", p.min_budget), ("age", p.age)):
            if value not in (None, ""):
                pairs.append((key, num_text(value)))
        if p.order != "newest":
            pairs.append(("order", p.order))
        if p.page > 1:
            pairs.append(("page", str(p.page)))
        return pairs


def _int(p: FilterParams, name: str, value: str | None, default: int, lo: int, hi: int) -> int:
    """A whole number within ``lo``..``hi``; otherwise ``default``, recorded as ignored."""
    if value in (None, ""):
        return default
    try:
        number = int(str(value).strip()[:40])
    except ValueError:
        p.reject(name, f"{str(value)[:40]!r} is not a whole number")
        return default
    if not lo <= number <= hi:
        p.reject(name, f"{number} is out of range (from {lo} to {hi})")
        return default
    return number


def cli_params(
    *,
    keyword: Sequence[str] = (),
    exclude_keyword: Sequence[str] = (),
    skill: Sequence[str] = (),
    source: Sequence[str] = (),
    country: Sequence[str] = (),
    exclude_flag: Sequence[str] = (),
    flag: Sequence[str] = (),
    min_quality: float | None = None,
    min_budget: float | None = None,
    since: str | None = None,
    order: str = "newest",
    limit: int | None = 50,
) -> FilterParams:
    """The same filters from CLI flags (``jobsift feed``, ``jobsift export``)."""
    return FilterParams(
        keywords=split_list(keyword),
        exclude_keywords=split_list(exclude_keyword),
        skills=split_list(skill),
        sources=split_list(source),
        countries=split_list(country),
        exclude_flags=split_list(exclude_flag),
        require_flags=split_list(flag),
        min_quality=min_quality,
        min_budget=min_budget,
        age=since,
        order=order,
        limit=limit,
    )
