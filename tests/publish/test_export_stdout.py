"""``jobsift export`` without ``--out``, or with ``--out -``, writes to standard output, not to a file."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import Engine

from jobsift.publish.export import COLUMNS
from tests.publish.data import JOBS, seed


def export(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run(
        [sys.executable, "-m", "jobsift", *args], cwd=cwd, capture_output=True, env=env, check=False, timeout=120
    )


@pytest.mark.parametrize("out", [[], ["--out", "-"]], ids=["no --out", "--out -"])
def test_csv_and_jsonl_go_to_stdout_and_no_file_is_made(
    sqlite_engine: Engine, sqlite_url: str, tmp_path: Path, out: list[str]
) -> None:
    seed(sqlite_engine)
    work = tmp_path / "cwd"
    work.mkdir()
    got = export(work, "--db", sqlite_url, "export", "--format", "csv", *out)
    assert got.returncode == 0, got.stderr
    rows = list(csv.DictReader(io.StringIO(got.stdout.decode("utf-8"), newline="")))
    assert sorted(r["external_id"] for r in rows) == sorted(j[1] for j in JOBS)
    assert list(rows[0]) == list(COLUMNS)
    assert got.stderr.decode().strip().endswith(f"exported {len(JOBS)} jobs (csv)")
    got = export(work, "--db", sqlite_url, "export", "--format", "jsonl", "--source", "beta", *out)
    assert got.returncode == 0, got.stderr
    objs = [json.loads(line) for line in got.stdout.decode("utf-8").splitlines()]
    assert sorted(o["external_id"] for o in objs) == ["b1", "b2", "b3"]
    assert list(work.iterdir()) == []  # no file named '-'


def test_parquet_to_a_pipe_reads_back(sqlite_engine: Engine, sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_engine)
    got = export(tmp_path, "--db", sqlite_url, "export", "--format", "parquet", "--out", "-")
    assert got.returncode == 0, got.stderr
    target = tmp_path / "piped.parquet"
    target.write_bytes(got.stdout)
    con = duckdb.connect()
    try:
        n = con.execute("SELECT count(*) FROM read_parquet(?)", [str(target)]).fetchone()
    finally:
        con.close()
    assert n == (len(JOBS),)
    assert not (tmp_path / "-").exists()


def test_a_file_is_still_a_file(sqlite_engine: Engine, sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_engine)
    out = tmp_path / "sub" / "jobs.jsonl"
    got = export(tmp_path, "--db", sqlite_url, "export", "--format", "jsonl", "--out", str(out))
    assert got.returncode == 0, got.stderr
    assert got.stdout.decode().strip() == f"wrote {out}: {len(JOBS)} jobs (jsonl)"
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(JOBS)
