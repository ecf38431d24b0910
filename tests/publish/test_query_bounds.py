"""Analyst SQL is bounded (R33) and cannot act outside its query (R34), on both backends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from jobsift.cli import main
from jobsift.publish.sql import QueryError, run_query
from jobsift.publish.sql_guard import PG_DENIED, SQLITE_DENIED, pg_denied
from tests.publish.data import seed
from tests.publish.sqlroles import analyst_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def qurl(engine: Engine, db_url: str) -> str:
    return analyst_url(engine, db_url)


def test_r33_whole_query_time_is_bounded_not_each_fetch(engine: Engine, db_url: str, qurl: str) -> None:
    """Rows that come slowly: every fetch is under the limit, the whole query is not."""
    if db_url.startswith("sqlite"):
        # A row every few million steps of a recursive CTE; the result streams, the clock runs.
        sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c WHERE x % 3000000 = 0"
    else:
        # Fetches of at most 100 rows take under 1 s each; all 500 rows take 4.5 s.
        sql = "SELECT pg_sleep(0.009), x FROM generate_series(1, 500) AS x"
    with pytest.raises(QueryError, match="time limit"):
        run_query(qurl, sql, timeout=1.0, max_rows=1_000_000)


@pytest.mark.postgres
def test_r33_pg_statement_timeout_lifted_by_the_query_is_refused(pg_url: str) -> None:
    from jobsift.store.db import open_store

    engine = open_store(pg_url)
    try:
        url = analyst_url(engine, pg_url)
    finally:
        engine.dispose()
    for sql in (
        "SELECT set_config('statement_timeout', '0', false), pg_sleep(30)",
        "SELECT pg_catalog.\"set_config\"('statement_timeout', '0', false)",
        "SELECT SET_CONFIG/**/('role', 'postgres', true)",
    ):
        with pytest.raises(QueryError, match=r"refused: set_config acts outside the query"):
            run_query(url, sql, timeout=2)


def test_r33_result_rows_and_bytes_are_capped(engine: Engine, db_url: str, qurl: str) -> None:
    seed(engine)
    big = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000) SELECT x, {pad} FROM c"
    pad = "printf('%.1000c', 'x')" if db_url.startswith("sqlite") else "repeat('x', 1000)"
    r = run_query(qurl, big.format(pad=pad), max_bytes=200_000, max_rows=1_000_000)
    assert r.truncated
    assert r.cut_by == "bytes"
    assert 100 < len(r.rows) < 200
    assert r.bytes <= 200_000
    r = run_query(qurl, big.format(pad=pad), max_rows=7)
    assert r.cut_by == "rows"
    assert len(r.rows) == 7


def _peak_mb_of(code: str) -> tuple[str, int]:
    """Run ``code`` in a fresh interpreter; (its last stdout line, its peak RSS in MB)."""
    wrapper = code + "\nimport resource\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n"
    out = subprocess.run(
        [sys.executable, "-c", wrapper],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    ).stdout.splitlines()
    return out[-2], int(out[-1])


@pytest.mark.parametrize(
    "sql",
    [
        # zeroblob in a recursive CTE, sorted: SQLite holds every row (8 GB before the cap)
        "WITH RECURSIVE c(x, b) AS (SELECT 1, zeroblob(50000000) UNION ALL SELECT x + 1, b FROM c LIMIT 160) "
        "SELECT x, length(b) FROM c ORDER BY b",
        # one value larger than the cap
        "SELECT length(zeroblob(2000000000))",
        # a string grown by aggregation
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 100000) "
        "SELECT length(group_concat(printf('%.10000c', 'x'))) FROM c",
    ],
)
def test_r33_sqlite_query_memory_is_bounded(sqlite_engine: Engine, sqlite_url: str, sql: str) -> None:
    code = (
        f"from jobsift.publish.sql import run_query, QueryError\n"
        f"try:\n    run_query({sqlite_url!r}, {sql!r}, timeout=60, max_bytes=50_000_000)\n    print('ran')\n"
        f"except QueryError as e:\n    print(e)\n"
    )
    message, peak_mb = _peak_mb_of(code)
    assert "memory" in message, message
    assert "--max-bytes" in message
    assert peak_mb < 600, f"peak {peak_mb} MB"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT load_extension('/tmp/evil.so')",
        "SELECT fts3_tokenizer('simple')",
        "SELECT readfile('/etc/passwd')",
    ],
)
def test_r34_sqlite_functions_outside_the_query_are_denied(sqlite_engine: Engine, sqlite_url: str, sql: str) -> None:
    with pytest.raises(QueryError, match=r"read-only|refused|no such function"):
        run_query(sqlite_url, sql)


def test_r34_sqlite_denies_every_listed_function_by_its_real_name(sqlite_engine: Engine, sqlite_url: str) -> None:
    """The authorizer sees the function's real name: case does not hide it."""
    import sqlite3

    for name in sorted(SQLITE_DENIED):
        for spelled in (name, name.upper(), f'"{name}"'):
            with pytest.raises(QueryError, match=r"read-only|no such function"):
                run_query(sqlite_url, f"SELECT {spelled}('x')")
    assert sqlite3.SQLITE_FUNCTION  # the authorizer action the check relies on


def _names() -> list[str]:
    return [n.rstrip("*") + ("backend" if n.endswith("*") else "") for n in PG_DENIED]


@st.composite
def disguised_call(draw: st.DrawFn) -> tuple[str, str]:
    """A denied PostgreSQL function, spelled the ways SQL allows: case, quotes, schema, comments."""
    name = draw(st.sampled_from(_names()))
    spelled = "".join(c.upper() if draw(st.booleans()) else c for c in name)
    if draw(st.booleans()):
        spelled = f'"{name}"'
    if draw(st.booleans()):
        spelled = draw(st.sampled_from(["pg_catalog.", "PG_CATALOG . ", '"pg_catalog".', "public."])) + spelled
    gap = draw(st.sampled_from(["", " ", "/**/", "\n", " /* x */ ", "--c\n"]))
    wrap = draw(
        st.sampled_from(
            [
                "SELECT {}",
                "SELECT 1 WHERE {} IS NULL",
                "WITH a AS (SELECT {}) SELECT * FROM a",
                "SELECT (SELECT {})",
                "select count(*) from jobs where title = {}",
            ]
        )
    )
    return name, wrap.format(f"{spelled}{gap}('x')")


@given(disguised_call())
@settings(max_examples=300, deadline=None)
def test_r34_pg_denylist_sees_through_spelling(case: tuple[str, str]) -> None:
    _name, sql = case
    assert pg_denied(sql) is not None, sql


@given(
    st.sampled_from(
        [
            "SELECT title FROM jobs",
            "SELECT lowball_ratio, flags_text FROM jobs",
            "SELECT count(*) FROM scores WHERE model_version LIKE 'rules%'",
            "SELECT json_extract(reasons, '$[0]') FROM jobs",
            "SELECT x FROM generate_series(1, 3) x",
        ]
    )
)
def test_r34_pg_denylist_leaves_ordinary_queries_alone(sql: str) -> None:
    assert pg_denied(sql) is None


def test_r34_unicode_escaped_names_are_refused() -> None:
    assert pg_denied("SELECT U&\"pg_read\\005ffile\"('/etc/passwd')") is not None


@pytest.mark.postgres
def test_r34_pg_role_cannot_read_files_signal_sessions_or_write(pg_url: str) -> None:
    """The server-side line: as the analyst role, even from a superuser session, nothing outside.

    (From a superuser session the role could be switched back with set_config('role', ...): that is
    what the denylist is for, tested above.)"""
    from jobsift.store.db import open_store

    engine = open_store(pg_url)
    try:
        seed(engine)
        analyst_url(engine, pg_url)  # creates the role
        with engine.connect() as victim:
            pid = victim.execute(text("SELECT pg_backend_pid()")).scalar()
            for sql, params in (
                ("SELECT pg_read_file('/etc/passwd')", {}),
                ("SELECT pg_terminate_backend(%(pid)s)", {"pid": pid}),
                ("SELECT lo_import('/etc/passwd')", {}),
                ("DELETE FROM labels", {}),
            ):
                dsn = pg_url.replace("postgresql+psycopg://", "postgresql://")
                with psycopg.connect(dsn) as conn:
                    conn.execute("SET ROLE jobsift_analyst")
                    with pytest.raises(psycopg.Error) as err:
                        conn.execute(sql, params or None)
                    assert "permission denied" in str(err.value) or "must be" in str(err.value), sql
            # the session it tried to end is alive
            assert victim.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_r34_superuser_url_refused_unless_insisted(pg_url: str) -> None:
    from jobsift.store.db import open_store

    engine = open_store(pg_url)
    try:
        seed(engine)
    finally:
        engine.dispose()
    with pytest.raises(QueryError, match="superuser"):
        run_query(pg_url, "SELECT 1")
    with pytest.raises(QueryError, match="analyst-role"):
        run_query(pg_url, "SELECT 1", allow_superuser=True)
    runner = CliRunner()
    made = runner.invoke(main, ["--db", pg_url, "db", "analyst-role"])
    assert made.exit_code == 0, made.output
    assert "jobsift_analyst" in made.output
    # Insisting runs the query as the read-only role: it reads, and file reads still fail.
    ok = runner.invoke(
        main,
        [
            "--db",
            pg_url,
            "query",
            "SELECT current_user AS u, count(*) AS n FROM jobs",
            "--format",
            "json",
            "--allow-superuser",
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output) == [{"u": "jobsift_analyst", "n": 8}]
    bad = runner.invoke(main, ["--db", pg_url, "query", "SELECT pg_read_file('/etc/passwd')", "--allow-superuser"])
    assert bad.exit_code == 1
    assert bad.output.strip() == "error: refused: pg_read_file acts outside the query (jobsift query only reads)"
    plain = runner.invoke(main, ["--db", pg_url, "query", "SELECT 1"])
    assert plain.exit_code == 1
    assert "superuser" in plain.output
    assert len(plain.output.strip().splitlines()) == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(sorted(SQLITE_DENIED)),
    st.sampled_from(["SELECT {}(1)", "SELECT 1 WHERE {}(1)", "WITH a AS (SELECT {}(1) AS v) SELECT v FROM a"]),
)
def test_r34_sqlite_denied_functions_in_any_position(
    sqlite_engine: Engine, sqlite_url: str, name: str, wrap: str
) -> None:
    with pytest.raises(QueryError):
        run_query(sqlite_url, wrap.format(name))
