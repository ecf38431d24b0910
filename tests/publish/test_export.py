"""``jobsift export`` and ``jobsift feed``: files a person opens elsewhere (R19 for CSV)."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import duckdb
import feedparser
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import Engine

from jobsift.cli import main
from jobsift.publish.export import COLUMNS
from tests.publish.data import FORMULA_TITLE, HOSTILE_TITLE, NOW, seed


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_r19_csv_cells_that_look_like_formulas_are_neutralised(
    sqlite_engine: Engine, sqlite_url: str, tmp_path: Path
) -> None:
    seed(sqlite_engine)
    out = tmp_path / "jobs.csv"
    assert "8 jobs" in run("--db", sqlite_url, "export", "--format", "csv", "--out", str(out))
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(COLUMNS)
    by_title = {r["external_id"]: r for r in rows}
    assert by_title["g2"]["title"] == "'" + FORMULA_TITLE
    assert by_title["g2"]["description_text"] == "'-2+3 formula"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    assert by_title["g1"]["title"] == HOSTILE_TITLE  # quoted by the csv module, not cut


def test_parquet_read_back_with_duckdb_and_filters_apply(
    sqlite_engine: Engine, sqlite_url: str, tmp_path: Path
) -> None:
    seed(sqlite_engine)
    out = tmp_path / "jobs.parquet"
    run(
        "--db",
        sqlite_url,
        "export",
        "--format",
        "parquet",
        "--out",
        str(out),
        "--exclude-flag",
        "ghost",
        "--min-quality",
        "50",
    )
    con = duckdb.connect()
    try:
        rows = con.execute(
            "SELECT external_id, quality, skills, flags, budget_max_usd, epoch(first_seen_at) FROM read_parquet(?) "
            "ORDER BY quality DESC",
            [str(out)],
        ).fetchall()
        types = dict(
            con.execute(
                "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))", [str(out)]
            ).fetchall()
        )
    finally:
        con.close()
    assert [r[0] for r in rows] == ["a1", "g3", "b1", "g1", "g2"]
    assert rows[0][1] == 88.0
    assert abs(rows[0][5] - (NOW - timedelta(hours=1)).timestamp()) < 1  # a UTC instant, not local time
    assert rows[0][2] == ["python", "postgresql"]
    assert rows[-1][3] == ["payment_unverified"]
    assert types["first_seen_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["quality"] == "DOUBLE"


def test_jsonl_has_one_object_per_job(sqlite_engine: Engine, sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_engine)
    out = tmp_path / "jobs.jsonl"
    run("--db", sqlite_url, "export", "--format", "jsonl", "--out", str(out), "--source", "beta")
    objs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(o["external_id"] for o in objs) == ["b1", "b2", "b3"]
    assert set(objs[0]) == set(COLUMNS)


def test_feed_command_writes_valid_rss_and_atom(sqlite_engine: Engine, sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_engine)
    rss, atom = tmp_path / "jobs.xml", tmp_path / "jobs.atom"
    assert "5 jobs" in run(
        "--db", sqlite_url, "feed", "--out", str(rss), "--exclude-flag", "ghost", "--min-quality", "50"
    )
    run("--db", sqlite_url, "feed", "--out", str(atom), "--atom", "--skill", "python", "--limit", "2")
    for path, n in ((rss, 5), (atom, 2)):
        etree.fromstring(path.read_bytes())
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo
        assert len(parsed.entries) == n
    assert feedparser.parse(atom.read_bytes()).version == "atom10"


def test_feed_command_rejects_a_bad_age(sqlite_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["--db", sqlite_url, "feed", "--out", str(tmp_path / "f.xml"), "--since", "yesterday-ish"]
    )
    assert result.exit_code == 2
    assert "--since" in result.output
