"""``jobsift import PATH --format NAME`` stores what the parsers read (CliRunner, real SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from jobsift.cli import main
from jobsift.store.db import open_store
from jobsift.store.schema import postings
from tests.crawler.sources.helpers import FIXTURES


@pytest.mark.parametrize(
    ("fmt", "name", "count"),
    [("upwork-rss", "verified.rss", 3), ("freelancer", "projects.json", 3), ("remotive", "jobs.json", 4)],
)
def test_import_fixture_files(tmp_path: Path, fmt: str, name: str, count: int) -> None:
    db = f"sqlite:///{tmp_path / 'import.db'}"
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(FIXTURES / fmt / name), "--format", fmt, "--no-score", "--db", db])
    assert result.exit_code == 0, result.output
    assert f"{count} postings, {count} new" in result.output
    again = runner.invoke(main, ["import", str(FIXTURES / fmt / name), "--format", fmt, "--no-score", "--db", db])
    assert again.exit_code == 0
    assert f"{count} postings, 0 new" in again.output
    engine = open_store(db)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(postings.c.source, postings.c.external_id, postings.c.title)).all()
    finally:
        engine.dispose()
    assert len(rows) == count
    assert {r.source for r in rows} == {fmt}


def test_import_unknown_format_is_a_clear_error(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'import.db'}"
    result = CliRunner().invoke(main, ["import", str(FIXTURES / "rss" / "basic.rss"), "--format", "nope", "--db", db])
    assert result.exit_code != 0
    assert "unknown format 'nope'" in result.output
