"""R37: `jobsift query` keeps every column, even when names repeat (``p.id, s.id``), in every format."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from jobsift.cli import main
from jobsift.publish.sql import run_query, unique_names
from tests.publish.data import seed
from tests.publish.sqlroles import analyst_url

SQL = "SELECT 1 AS a, 2 AS a, 3 AS a_2, 4 AS b"


def test_duplicate_names_are_numbered_and_no_value_is_lost(engine: Engine, db_url: str) -> None:
    r = run_query(analyst_url(engine, db_url), SQL)
    assert r.columns == ["a", "a_3", "a_2", "b"]
    assert [tuple(row) for row in r.rows] == [(1, 2, 3, 4)]
    assert r.dicts() == [{"a": 1, "a_3": 2, "a_2": 3, "b": 4}]
    assert r.renamed == [("a", "a_3")]


def test_a_join_keeps_both_ids(engine: Engine, db_url: str) -> None:
    seed(engine)
    sql = "SELECT a.id, b.id, a.title FROM postings a JOIN postings b ON b.id = a.id + 1 ORDER BY a.id"
    r = run_query(analyst_url(engine, db_url), sql)
    assert r.columns == ["id", "id_2", "title"]
    assert len(r.rows) == 7
    assert all(row[1] == row[0] + 1 for row in r.rows)


def test_every_cli_format_keeps_every_column(sqlite_engine: Engine, sqlite_url: str) -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["--db", sqlite_url, "query", SQL, "--format", "csv"])
    assert out.exit_code == 0, out.output
    assert list(csv.reader(io.StringIO(out.stdout))) == [["a", "a_3", "a_2", "b"], ["1", "2", "3", "4"]]
    assert "note: duplicate column names renamed: a -> a_3" in out.stderr
    out = runner.invoke(main, ["--db", sqlite_url, "query", SQL, "--format", "json"])
    assert json.loads(out.stdout) == [{"a": 1, "a_3": 2, "a_2": 3, "b": 4}]
    out = runner.invoke(main, ["--db", sqlite_url, "query", SQL], env={"COLUMNS": "100"})
    cells = [[w for w in line.split() if w not in "┃│"] for line in out.stdout.splitlines()]
    assert ["a", "a_3", "a_2", "b"] in cells, out.stdout
    assert ["1", "2", "3", "4"] in cells, out.stdout


@given(st.lists(st.sampled_from(["a", "a_2", "a_3", "id", "?column?", "b_2", "b"]), max_size=12))
def test_unique_names_keeps_the_first_and_numbers_the_rest(names: list[str]) -> None:
    out = unique_names(names)
    assert len(out) == len(names)
    assert len(set(out)) == len(out)
    for i, (old, new) in enumerate(zip(names, out, strict=True)):
        if old not in names[:i]:
            assert new == old
        else:
            assert new.startswith(old + "_")
            assert new not in names
