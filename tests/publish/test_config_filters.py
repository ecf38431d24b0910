"""``[filters]`` in jobsift.toml reaches every reader (jobs, feed, export) through one path, and the
budget figure ``--min-budget`` filters on is the one the market compares (issue 14, issue 12 item 3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from jobsift.cli import main
from jobsift.model import Budget, Posting
from jobsift.scoring.features import budget_usd
from jobsift.store.budget_figure import budget_figure, budget_figure_sql
from jobsift.store.postings import upsert_postings
from jobsift.store.schema import postings
from tests.publish.data import JOBS, NOW, seed

GHOSTS = {title for _s, _e, title, *_rest, flags in JOBS if "ghost" in flags}
LOWBALLS = {title for _s, _e, title, *_rest, flags in JOBS if "lowball" in flags}
ALL = {j[2] for j in JOBS}


def _run(args: list[str], env: dict[str, str] | None = None) -> Any:
    r = CliRunner().invoke(main, args, env=env or {}, catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r


def _titles_jobs(url: str, cfg: Path | None, *extra: str, env: dict[str, str] | None = None) -> set[str]:
    args = ["--db", url] + (["--config", str(cfg)] if cfg else []) + ["jobs", "--format", "json", *extra]
    return {j["title"] for j in json.loads(_run(args, env).stdout)}


@pytest.fixture
def ghost_config(tmp_path: Path) -> Path:
    cfg = tmp_path / "jobsift.toml"
    cfg.write_text('[filters]\nexclude_flags = ["ghost"]\n', encoding="utf-8")
    return cfg


def test_config_exclude_flags_hide_in_jobs(sqlite_engine: Engine, sqlite_url: str, ghost_config: Path) -> None:
    seed(sqlite_engine)
    assert GHOSTS
    assert _titles_jobs(sqlite_url, None) == ALL
    assert _titles_jobs(sqlite_url, ghost_config) == ALL - GHOSTS


def test_config_filters_from_environment(sqlite_engine: Engine, sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_engine)
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    env = {"JOBSIFT_FILTERS__EXCLUDE_FLAGS": "ghost", "JOBSIFT_CONFIG": str(empty)}
    assert _titles_jobs(sqlite_url, None, env=env) == ALL - GHOSTS


def test_cli_flags_add_to_config_and_can_ignore_it(sqlite_engine: Engine, sqlite_url: str, ghost_config: Path) -> None:
    seed(sqlite_engine)
    assert _titles_jobs(sqlite_url, ghost_config, "--exclude-flag", "lowball") == ALL - GHOSTS - LOWBALLS
    assert _titles_jobs(sqlite_url, ghost_config, "--no-config-filters") == ALL
    assert _titles_jobs(sqlite_url, ghost_config, "--no-config-filters", "--exclude-flag", "lowball") == ALL - LOWBALLS


def test_cli_min_quality_replaces_config(sqlite_engine: Engine, sqlite_url: str, tmp_path: Path) -> None:
    seed(sqlite_engine)
    cfg = tmp_path / "jobsift.toml"
    cfg.write_text("[filters]\nmin_quality = 70\n", encoding="utf-8")
    high = {j[2] for j in JOBS if j[9] >= 70}
    assert _titles_jobs(sqlite_url, cfg) == high
    assert _titles_jobs(sqlite_url, cfg, "--min-quality", "50") == {j[2] for j in JOBS if j[9] >= 50}


def test_config_exclude_flags_hide_in_feed_and_export(
    sqlite_engine: Engine, sqlite_url: str, ghost_config: Path, tmp_path: Path
) -> None:
    seed(sqlite_engine)
    feed = tmp_path / "jobs.xml"
    _run(["--db", sqlite_url, "--config", str(ghost_config), "feed", "--out", str(feed)])
    body = feed.read_text(encoding="utf-8")
    assert "Senior Python developer" in body
    assert all(t not in body for t in GHOSTS)
    out = tmp_path / "jobs.jsonl"
    _run(["--db", sqlite_url, "--config", str(ghost_config), "export", "--format", "jsonl", "--out", str(out)])
    titles = {json.loads(line)["title"] for line in out.read_text(encoding="utf-8").splitlines()}
    assert titles == ALL - GHOSTS


def _posting(ext: str, budget: Budget | None) -> Posting:
    return Posting(
        source="cur",
        external_id=ext,
        url=f"https://cur.test/{ext}",
        title=f"job {ext}",
        description_text="x",
        posted_at=NOW,
        budget=budget,
    )


BUDGETS = {
    "no-currency": Budget(kind="fixed", min=5000, max=5000, currency=None, provenance="field", raw="5000"),
    "usd-native": Budget(kind="fixed", min=800, max=1200, currency="USD", provenance="field", raw="$800-1200"),
    "eur-converted": Budget(
        kind="fixed", min=900, max=900, currency="EUR", min_usd=990, max_usd=990, provenance="field", raw="€900"
    ),
    "eur-unconverted": Budget(kind="fixed", min=4000, max=4000, currency="EUR", provenance="field", raw="€4000"),
    "zero": Budget(kind="fixed", min=0, max=0, currency="USD", provenance="field", raw="$0"),
    "none": None,
}


def test_budget_figure_is_one_definition(sqlite_engine: Engine, sqlite_url: str) -> None:
    """A fixed 5000 with no stated currency is $5,000 to scoring and to ``--min-budget`` alike."""
    with sqlite_engine.begin() as conn:
        upsert_postings(conn, "cur", [_posting(k, b) for k, b in BUDGETS.items()], NOW)
        rows = {
            r.external_id: dict(r._mapping) for r in conn.execute(select(postings, budget_figure_sql().label("figure")))
        }
    expected = {
        "no-currency": 5000.0,
        "usd-native": 1200.0,
        "eur-converted": 990.0,
        "eur-unconverted": None,
        "zero": None,
        "none": None,
    }
    for ext, row in rows.items():
        assert budget_figure(row) == expected[ext], ext
        assert budget_usd(row) == expected[ext], ext  # what the market compares
        assert row["figure"] == expected[ext], ext  # what SQL filters and the market history use
    listed = {
        j["external_id"]
        for j in json.loads(_run(["--db", sqlite_url, "jobs", "--format", "json", "--min-budget", "1000"]).stdout)
    }
    assert listed == {"no-currency", "usd-native"}
