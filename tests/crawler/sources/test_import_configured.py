"""``jobsift import --source NAME`` of a configured source uses its format and options (a declarative
mapping), so a saved file in a format that is not built in can be imported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from jobsift.cli import main
from jobsift.store.db import open_store
from jobsift.store.schema import postings
from tests.crawler.sources.helpers import FIXTURES

DOCS = Path(__file__).resolve().parents[3] / "docs" / "sources.md"


def orchard_config(tmp_path: Path) -> Path:
    """The documented declarative example (docs/sources.md), as a user would paste it."""
    block = next(
        b for b in re.findall(r"```toml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S) if 'name = "orchard"' in b
    )
    cfg = tmp_path / "jobsift.toml"
    cfg.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "jobs.db"}"\n\n{block}', encoding="utf-8")
    return cfg


def stored(tmp_path: Path) -> list[tuple[str, str, str]]:
    engine = open_store(f"sqlite:///{tmp_path / 'jobs.db'}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(postings.c.source, postings.c.external_id, postings.c.url).order_by(postings.c.external_id)
            ).all()
    finally:
        engine.dispose()
    return [tuple(r) for r in rows]


@pytest.mark.parametrize("fmt", [[], ["--format", "declarative"]], ids=["format from config", "--format declarative"])
def test_a_configured_declarative_source_lends_its_mapping(tmp_path: Path, fmt: list[str]) -> None:
    cfg = orchard_config(tmp_path)
    result = CliRunner().invoke(
        main,
        [
            "--config",
            str(cfg),
            "import",
            str(FIXTURES / "declarative" / "careers.json"),
            *fmt,
            "--source",
            "orchard",
            "--no-score",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2 postings, 2 new" in result.output
    assert stored(tmp_path) == [
        ("orchard", "OT-17", "https://careers.orchard.example/jobs/ot-17"),
        ("orchard", "OT-18", "https://careers.orchard.example/jobs/ot-18"),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "declarative"], "--format declarative needs a mapping: pass --source NAME"),
        (["--format", "declarative", "--source", "elsewhere"], "--format declarative needs a mapping"),
        (
            ["--format", "rss", "--source", "orchard"],
            "source 'orchard' is configured with format 'declarative', not 'rss'",
        ),
        ([], "give --format NAME, or --source NAME of a source configured in jobsift.toml"),
    ],
)
def test_what_cannot_work_is_one_line_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    cfg = orchard_config(tmp_path)
    result = CliRunner().invoke(
        main, ["--config", str(cfg), "import", str(FIXTURES / "declarative" / "careers.json"), *args, "--no-score"]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert stored(tmp_path) == []
