"""The docs cover every setting and every CLI command; the README's first screen starts where a user starts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from jobsift.cli import main
from jobsift.config.sections import iter_settings
from jobsift.demo.sources import DEMO_SOURCES
from jobsift.store.db import make_engine
from jobsift.store.schema import postings
from tests.cli.test_commands import all_commands

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CONFIGURATION = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
FIRST_SCREEN = "\n".join(README.splitlines()[:45])


@pytest.mark.parametrize("name", [n for n, _ in iter_settings()])
def test_docs_document_every_setting(name: str) -> None:
    assert f"`{name}`" in CONFIGURATION


@pytest.mark.parametrize("path", all_commands(main), ids=" ".join)
def test_readme_shows_every_command_with_an_example(path: tuple[str, ...]) -> None:
    command = "jobsift " + " ".join(path)
    assert re.search(rf"^\s*(\$ )?{re.escape(command)}\b", README, re.M), f"no example of `{command}` in README"


def test_readme_shows_the_two_commands() -> None:
    assert "make demo" in FIRST_SCREEN
    assert "make test" in FIRST_SCREEN


def test_first_screen_goes_from_clone_to_a_filtered_feed() -> None:
    """What it is, the two commands, PATH once, then init, crawl, read and serve: all in the first screen."""
    lines = FIRST_SCREEN.splitlines()
    first_command = next(i for i, line in enumerate(lines) if re.match(r"\s*jobsift \w", line))
    assert ".venv/bin" in "\n".join(lines[:first_command])  # how to put jobsift on PATH, before it is used
    assert "source .venv/bin/activate" in FIRST_SCREEN
    for step in ("jobsift init", "jobsift crawl", "jobsift jobs", "jobsift feed", "jobsift serve"):
        assert re.search(rf"^{step}\b", FIRST_SCREEN, re.M), step
    assert "--exclude-flag ghost" in FIRST_SCREEN


def test_moved_sections_live_in_docs_and_are_linked() -> None:
    for doc, marker in (
        ("configuration.md", "| `database.url` |"),
        ("analysts.md", "```sql"),
        ("running.md", "ExecStart="),
        ("running.md", "SKIP LOCKED"),
    ):
        assert marker in (ROOT / "docs" / doc).read_text(encoding="utf-8"), (doc, marker)
        assert f"](docs/{doc})" in README, f"README does not link docs/{doc}"
    for marker in ("| `database.url` |", "ExecStart=", "```sql", "SKIP LOCKED"):
        assert marker not in README


def test_measured_figures_are_left_for_a_fresh_clone() -> None:
    """Test counts and times are measured on a fresh clone by whoever merges; none are guessed here."""
    assert "<!-- measured:" in FIRST_SCREEN


def test_readme_demo_sample_is_a_real_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo output quoted in the README is what `jobsift demo` prints, ids included (stable)."""
    block = next(b for b in re.findall(r"```text\n(.*?)```", README, re.S) if "Why postings were flagged" in b)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(main, ["demo"])
    assert first.exit_code == 0, first.output
    assert block.rstrip("\n") in first.output
    again = runner.invoke(main, ["demo"])  # ids, flags and examples the same on every run
    assert again.exit_code == 0, again.output
    cut = first.output.index("Why postings were flagged")
    assert again.output[again.output.index("Why postings were flagged") :] == first.output[cut:]
    # Sources are crawled one after another in the demo's order, so ids follow that order.
    engine = make_engine(f"sqlite:///{tmp_path / 'jobsift-demo' / 'jobsift-demo.db'}")
    try:
        with engine.connect() as conn:
            spans = dict(
                conn.execute(select(postings.c.source, func.min(postings.c.id)).group_by(postings.c.source)).all()
            )
    finally:
        engine.dispose()
    assert sorted(spans, key=spans.__getitem__) == [s.name for s in DEMO_SOURCES]
