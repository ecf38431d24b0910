"""``jobsift query``: read-only analyst SQL on both backends (R25)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from jobsift.cli import main
from jobsift.publish.sql import QueryError, run_query
from jobsift.store.schema import clients, postings, scores
from tests.publish.data import seed
from tests.publish.sqlroles import analyst_url


@pytest.fixture
def qurl(engine: Engine, db_url: str) -> str:
    """The URL analyst SQL runs with: a plain login that may use the read-only role on PostgreSQL."""
    return analyst_url(engine, db_url)


def counts(engine: Engine) -> tuple[int, ...]:
    with engine.connect() as conn:
        return tuple(
            int(conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in (postings, scores, clients)
        )


def test_select_with_bound_parameters(engine: Engine, db_url: str, qurl: str) -> None:
    seed(engine)
    r = run_query(
        qurl, "SELECT source, count(*) AS n FROM jobs WHERE quality >= :q GROUP BY source ORDER BY source", {"q": 50}
    )
    assert r.columns == ["source", "n"]
    assert r.rows == [("alpha", 1), ("beta", 1), ("gamma", 3)]
    # A parameter holding SQL is data, not code.
    r = run_query(qurl, "SELECT count(*) FROM jobs WHERE title = :t", {"t": "x' OR '1'='1"})
    assert r.rows == [(0,)]


def test_row_cap(engine: Engine, db_url: str, qurl: str) -> None:
    seed(engine)
    r = run_query(qurl, "SELECT id FROM postings ORDER BY id", max_rows=3)
    assert len(r.rows) == 3
    assert r.truncated


HOSTILE = [
    "select 1; drop table postings",
    "DROP TABLE postings",
    "DELETE FROM postings",
    "UPDATE postings SET title = 'x'",
    "WITH x AS (UPDATE postings SET title = 'pwned' RETURNING id) SELECT * FROM x",
    "INSERT INTO labels (posting_id, label, origin, created_at) SELECT id, 'ok', 'user', first_seen_at FROM postings",
    "CREATE TABLE t (x int)",
]
SQLITE_ONLY = [
    "ATTACH DATABASE '/tmp/jobsift-r25-attached.db' AS evil",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA writable_schema = 1",
    "VACUUM",
]


@pytest.mark.parametrize("sql", HOSTILE)
def test_r25_writes_are_refused_and_nothing_changes(engine: Engine, db_url: str, qurl: str, sql: str) -> None:
    seed(engine)
    before = counts(engine)
    with pytest.raises(QueryError) as err:
        run_query(qurl, sql)
    assert "\n" not in str(err.value)
    assert counts(engine) == before
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).where(postings.c.title == "pwned")).scalar() == 0


@pytest.mark.parametrize("sql", SQLITE_ONLY)
def test_r25_attach_pragma_vacuum_refused_on_sqlite(sqlite_engine: Engine, sqlite_url: str, sql: str) -> None:
    import os

    seed(sqlite_engine)
    before = counts(sqlite_engine)
    with pytest.raises(QueryError, match=r"read-only|refused"):
        run_query(sqlite_url, sql)
    assert counts(sqlite_engine) == before
    assert not os.path.exists("/tmp/jobsift-r25-attached.db")


def test_r25_runaway_recursive_cte_is_interrupted(engine: Engine, db_url: str, qurl: str) -> None:
    sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    with pytest.raises(QueryError, match="time limit"):
        run_query(qurl, sql, timeout=0.5)
    # Streaming rows instead stops at the row cap.
    r = run_query(
        qurl, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c", max_rows=50, timeout=5
    )
    assert len(r.rows) == 50
    assert r.truncated


def test_cli_query_formats_and_one_line_error(sqlite_engine: Engine, sqlite_url: str) -> None:
    seed(sqlite_engine)
    runner = CliRunner()
    sql = "SELECT title FROM jobs WHERE quality >= :q ORDER BY quality DESC"
    ok = runner.invoke(main, ["--db", sqlite_url, "query", sql, "-p", "q", "80", "--format", "csv"])
    assert ok.exit_code == 0, ok.output
    assert ok.output.splitlines()[:3] == [
        "title",
        "Senior Python developer for a data pipeline",
        "Django API with 50% off' OR 1=1 --",
    ]
    js = runner.invoke(main, ["--db", sqlite_url, "query", "SELECT count(*) AS n FROM jobs", "--format", "json"])
    assert '"n": 8' in js.output
    bad = runner.invoke(main, ["--db", sqlite_url, "query", "DELETE FROM postings"])
    assert bad.exit_code == 1
    assert bad.output.strip().startswith("error: refused: jobsift query is read-only")
    assert len(bad.output.strip().splitlines()) == 1


def test_the_documented_analyst_questions_run(engine: Engine, db_url: str, qurl: str) -> None:
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "analysts.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", doc, re.S)
    assert len(blocks) >= 5
    seed(engine)
    for sql in blocks:
        if "julianday" in sql and not db_url.startswith("sqlite"):
            continue  # documented as SQLite's form
        params = {k: 1 for k in re.findall(r"(?<!:):(\w+)", sql)}
        result = run_query(qurl, sql, params)
        assert result.columns, sql
    first = run_query(qurl, blocks[0])
    assert dict((r[0], r[2]) for r in first.rows)["alpha"] == 50.0
