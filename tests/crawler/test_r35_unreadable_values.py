"""R35: a value that cannot be read is unknown for that field; the posting, its source and the other
files of an import are kept; no run is left ``running``; dates beyond a day ahead are not trusted."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from jobsift.cli import main
from jobsift.crawler.importer import import_files
from jobsift.crawler.normalize import parse_date
from jobsift.model import Budget, Client, Competition, Posting
from jobsift.store.postings import upsert_postings
from jobsift.store.readable import FLOAT_MAX, INT_MAX, readable
from jobsift.store.schema import clients, postings, runs
from tests.crawler.test_crawl import T0, count, outcomes, run
from tests.support.crawling import RSS_HEADERS, config, source
from tests.support.httpserver import Reply, ScriptedServer

BIG = "1" * 5000
BAD_DATES = [
    "Mon, 01 Jan 0001 00:10:00 +0500",
    "Fri, 31 Dec 9999 23:59:00 -0500",
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:00:00-05:00",
    BIG,
    "1e999",
    "not a date",
    "31/31/2026",
    "Sun, 99 Zzz 2026 99:99:99 +9999",
]


def feed(dates: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Job {i}</title><link>https://jobs.example/{i}</link><guid>g{i}</guid>"
        f"<description>Build a thing. Budget $500.</description><pubDate>{d}</pubDate></item>"
        for i, d in enumerate(dates)
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{items}</channel></rss>".encode()


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(max_size=60),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(BAD_DATES),
        st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
        st.datetimes(timezones=st.timezones()).map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S %z")),
    )
)
def test_r35_parse_date_never_raises(value: Any) -> None:
    got = parse_date(value)
    assert got is None or got.tzinfo is not None


def test_r35_year_1_and_9999_with_offsets_cost_only_the_date(engine: Engine, server: ScriptedServer) -> None:
    good = "Sun, 22 Nov 2026 05:10:00 +0000"
    server.route("/robots.txt", Reply(404))
    server.route("/feed", Reply(200, feed([good, *BAD_DATES, good]), RSS_HEADERS))
    report = run(engine, config([source("dates", server.url + "/feed")]))
    assert outcomes(report)["dates"] == ("ok", None)
    assert count(engine, "dates") == len(BAD_DATES) + 2
    with engine.connect() as conn:
        posted = dict(conn.execute(select(postings.c.external_id, postings.c.posted_at)).all())
    assert posted["g0"] is not None
    assert posted[f"g{len(BAD_DATES) + 1}"] is not None
    assert all(posted[f"g{i}"] is None for i in range(1, len(BAD_DATES) + 1))


def test_r35_huge_numbers_and_unknown_enums_in_json_cost_only_their_fields(
    engine: Engine, server: ScriptedServer
) -> None:
    body = (
        '{"status": "success", "result": {"projects": ['
        f'{{"id": 1, "title": "Dev A", "seo_url": "a", "time_submitted": {BIG}, "type": "weekly",'
        f' "budget": {{"minimum": {BIG}, "maximum": 1e999}}, "bid_stats": {{"bid_count": {BIG}}}, "owner_id": 5}},'
        ' {"id": 2, "title": "Dev B", "seo_url": "b", "time_submitted": 1795000000,'
        ' "budget": {"minimum": 100, "maximum": 200}, "type": "fixed"}],'
        f' "users": {{"5": {{"status": {{"payment_verified": "maybe"}}, "registration_date": {BIG}}}}}}}}}'
    )
    server.route("/robots.txt", Reply(404))
    server.route("/api", Reply(200, body.encode(), {"Content-Type": "application/json"}))
    report = run(engine, config([source("fl", server.url + "/api", "freelancer")]))
    assert outcomes(report)["fl"][0] == "ok"
    with engine.connect() as conn:
        rows = {r.external_id: r for r in conn.execute(select(postings))}
        client_rows = list(conn.execute(select(clients)))
    assert set(rows) == {"1", "2"}
    assert rows["1"].posted_at is None
    assert rows["1"].budget_min is None
    assert rows["1"].budget_max is None
    assert rows["1"].proposals is None
    assert rows["2"].budget_max == 200
    assert all(c.payment_verified is None for c in client_rows)  # "maybe" is not a yes or a no


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)),
)


def _junk(cls: type, draw: Any) -> Any:
    return cls(**{f.name: draw(JUNK) for f in fields(cls) if f.name not in ("key",)})


@st.composite
def junk_postings(draw: Any) -> Posting:
    return Posting(
        source="s",
        external_id=draw(st.text("abc123", min_size=1, max_size=6)),
        url="https://x.example/1",
        title="Job",
        posted_at=draw(JUNK),
        budget=_junk(Budget, draw),
        competition=_junk(Competition, draw),
        client=Client(key="c", **{f.name: draw(JUNK) for f in fields(Client) if f.name != "key"}),
    )


@settings(max_examples=300, deadline=None)
@given(junk_postings())
def test_r35_readable_leaves_only_values_the_store_can_hold(p: Posting) -> None:
    got = readable(p, T0)
    for obj in (got, got.budget, got.competition, got.client):
        for f in fields(obj):
            v = getattr(obj, f.name)
            if f.type == "int | None":
                assert v is None or (type(v) is int and abs(v) <= INT_MAX)
            elif f.type == "float | None":
                assert v is None or (isinstance(v, float) and abs(v) <= FLOAT_MAX)
            elif f.type == "datetime | None":
                assert v is None or v <= T0 + timedelta(days=1)
            elif f.type == "bool | None":
                assert v is None or type(v) is bool
    assert got.budget is not None
    assert got.budget.kind in (None, "fixed", "hourly", "salary_year", "salary_month")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(junk_postings(), min_size=1, max_size=8))
def test_r35_the_store_takes_any_batch_of_junk_values(engine: Engine, batch: list[Posting]) -> None:
    """Both backends (one store for every example: upserts are idempotent)."""
    with engine.begin() as conn:
        stats = upsert_postings(conn, "s", batch, T0)
    assert stats.refused == 0


def test_r35_nul_characters_are_dropped_not_refused(engine: Engine) -> None:
    """PostgreSQL refuses NUL in text and JSON (found by the property test above); both backends keep the posting."""
    item = Posting(
        source="s",
        external_id="nul\x00id",
        url="https://x.example/nul",
        title="Dev\x00 role",
        description_text="a\x00b",
        skills=("Py\x00thon",),
        raw={"t\x00": ["x\x00y"]},
    )
    with engine.begin() as conn:
        stats = upsert_postings(conn, "s", [item], T0)
        row = conn.execute(select(postings.c.external_id, postings.c.title, postings.c.description_text)).one()
    assert stats.refused == 0
    assert tuple(row) == ("nulid", "Dev role", "ab")


def test_r35_dates_beyond_a_day_ahead_are_not_trusted(sqlite_engine: Engine) -> None:
    soon, later = T0 + timedelta(hours=20), T0 + timedelta(days=2)
    items = [
        Posting(source="f", external_id=k, url=f"https://x.example/{k}", title="Job", posted_at=d)
        for k, d in (("soon", soon), ("later", later), ("far", datetime(9999, 12, 31, tzinfo=UTC)))
    ]
    with sqlite_engine.begin() as conn:
        upsert_postings(conn, "f", items, T0)
        got = dict(conn.execute(select(postings.c.external_id, postings.c.posted_at)).all())
        listed = dict(conn.execute(select(postings.c.external_id, postings.c.listed_at)).all())
    assert got == {"soon": soon, "later": None, "far": None}
    assert listed["far"] == T0  # ordered by when jobsift first saw it


def test_r35_import_goes_on_past_a_bad_file_and_finishes_its_run(sqlite_engine: Engine, tmp_path: Path) -> None:
    a, b, c, d = (tmp_path / f"{n}.rss" for n in "abcd")
    a.write_bytes(feed(["Sun, 22 Nov 2026 05:10:00 +0000"]).replace(b"g0", b"a0"))
    b.write_bytes(feed(BAD_DATES).replace(b"<guid>g", b"<guid>b"))
    c.write_bytes(b"<rss" + b" " * 8000)  # over the cap below
    d.write_bytes(feed(["Sun, 22 Nov 2026 05:10:00 +0000"]).replace(b"g0", b"d0"))
    report = import_files(sqlite_engine, [a, b, c, d], "rss", "archive", now=lambda: T0, max_bytes=7000)
    assert report.files == 4
    assert report.items == 2 + len(BAD_DATES)
    assert [e.split(":")[0] for e in report.errors] == [str(c)]
    assert "over the 7,000-byte cap" in report.errors[0]
    with sqlite_engine.connect() as conn:
        statuses = [r.status for r in conn.execute(select(runs))]
    assert statuses == ["partial"]


def test_r33_import_refuses_a_file_over_fetch_max_bytes_in_one_line(tmp_path: Path) -> None:
    big = tmp_path / "big.rss"
    big.write_bytes(feed(["Sun, 22 Nov 2026 05:10:00 +0000"] * 200))
    small = tmp_path / "small.rss"
    small.write_bytes(feed(["Sun, 22 Nov 2026 05:10:00 +0000"]))
    cfg = tmp_path / "jobsift.toml"
    cfg.write_text("[fetch]\nmax_bytes = 10000\n")
    db = f"sqlite:///{tmp_path / 'j.db'}"
    result = CliRunner().invoke(
        main, ["--config", str(cfg), "--db", db, "import", str(big), str(small), "--format", "rss", "--no-score"]
    )
    warnings = [ln for ln in result.output.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 1
    assert f"{big}: refused: {big.stat().st_size:,} bytes is over the 10,000-byte cap (fetch.max_bytes)" in warnings[0]
    assert "1 postings, 1 new" in result.output
    assert json.loads(CliRunner().invoke(main, ["--db", db, "jobs", "--format", "json"]).output)[0]["title"] == "Job 0"
