"""`jobs` and `explain` fit the terminal's width (no header cut, columns folded under the title) and stay
plain when piped."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.cells import cell_len
from sqlalchemy import Engine

from jobsift.cli import main
from jobsift.config import load_config
from jobsift.scoring.score import score_pending
from jobsift.store.db import open_store
from tests.publish.data import JOBS, REASONS, seed

SGR = re.compile(r"\x1b\[[0-9;]*m")
WIDTHS = (60, 80, 100, 140)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('out') / 'jobsift.db'}"
    engine: Engine = open_store(url)
    try:
        ids = seed(engine)
        yield url, ids
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    """The same postings scored by the real scorer (so `explain` has signals to show)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('scored') / 'jobsift.db'}"
    engine: Engine = open_store(url)
    try:
        ids = seed(engine)
        score_pending(engine, load_config(None, env={}), rescore_all=True)
        yield url, ids
    finally:
        engine.dispose()


def on_terminal(args: list[str], width: int) -> list[str]:
    """What a terminal of ``width`` columns shows (colours removed)."""
    result = CliRunner().invoke(main, args, env={"COLUMNS": str(width), "TTY_COMPATIBLE": "1", "FORCE_COLOR": None})
    assert result.exit_code == 0, result.output
    return SGR.sub("", result.stdout).splitlines()


def assert_fits(lines: list[str], width: int) -> None:
    too_wide = [line for line in lines if cell_len(line.rstrip()) > width]
    assert not too_wide, f"{len(too_wide)} lines wider than {width}:\n" + "\n".join(too_wide)


@pytest.mark.parametrize("width", WIDTHS)
def test_jobs_fits_the_terminal_with_whole_headers(store: tuple[str, dict[str, int]], width: int) -> None:
    url, ids = store
    lines = on_terminal(["--db", url, "jobs"], width)
    assert_fits(lines, width)
    header = lines[0].split()
    assert header[:2] == ["id", "quality"]
    assert "title" in header
    if width >= 80:
        assert header[2] == "flags"
    if width >= 140:
        assert {"budget", "age", "source"} <= set(header)
    starts = [m.group(1) for line in lines[2:] if (m := re.match(r"^ ?(\d+) ", line))]
    assert sorted(starts) == sorted(str(i) for i in ids.values())  # one row per job, each id once
    assert len(lines) <= 2 + 5 * len(JOBS), "\n".join(lines)
    flat = " ".join(" ".join(lines).split())
    for source in ("alpha", "beta", "gamma"):  # shown in its column or folded under the title
        assert source in flat
    assert "$2,000-$3,000" in flat
    assert "payment_unverified" in flat


def test_jobs_puts_the_reasons_under_the_title(store: tuple[str, dict[str, int]]) -> None:
    url, _ = store
    lines = on_terminal(["--db", url, "jobs", "--source", "alpha"], 140)
    logo = next(i for i, line in enumerate(lines) if "Logo design for a bakery" in line)
    column = lines[logo].index("Logo design")
    below = [line[column:].strip() for line in lines[logo + 1 : logo + 3]]
    assert below == ["- " + REASONS["ghost"]["text"], "- " + REASONS["payment_unverified"]["text"]]


@pytest.mark.parametrize("width", WIDTHS)
def test_explain_fits_the_terminal(scored: tuple[str, dict[str, int]], width: int) -> None:
    url, ids = scored
    lines = on_terminal(["--db", url, "explain", str(ids["a2"])], width)
    assert_fits(lines, width)
    headers = [line.split() for line in lines if line.startswith("flag ") or line.startswith("signal ")]
    assert len(headers) == 2
    assert {"flag", "reason"} <= set(headers[0])
    assert {"signal", "meaning"} <= set(headers[1])
    flat = " ".join(" ".join(lines).split())
    assert "contribution" in flat
    assert "hired in 0 of 40" in flat or "hire" in flat


def test_piped_output_is_plain_and_unfolded(store: tuple[str, dict[str, int]]) -> None:
    url, _ = store
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR", "TTY_COMPATIBLE")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    out = subprocess.run(
        [sys.executable, "-m", "jobsift", "--db", url, "jobs"], capture_output=True, env=env, check=True, timeout=120
    ).stdout.decode("utf-8")
    assert "\x1b" not in out
    lines = out.splitlines()
    assert lines[0].split() == ["id", "quality", "flags", "title", "budget", "age", "source"]
    assert any("Senior Python developer for a data pipeline" in line and "alpha" in line for line in lines)


@pytest.mark.parametrize("width", [24, 40, 60, 80, 120, 200])
def test_known_widths_lay_out_as_rich_measures_them(width: int) -> None:
    """``fitted_table`` gives Rich the widths of the columns beside the main one (so it measures only the main
    column's cells); the table must print exactly as when Rich measures every cell itself."""
    import io

    from rich.console import Console

    from jobsift.cli.jobs import JOBS_TABLE
    from jobsift.cli.output import fitted_table

    rows = [
        {
            "id": str(i),
            "quality": str(i * 7 % 101),
            "flags": ["ghost", "lowball"][: i % 3],
            "title": title,
            "budget": f"${i * 130:,}",
            "age": f"{i} days ago",
            "source": "remoteok" if i % 2 else "upwork",
        }
        for i, title in enumerate(["Logo", "A much longer title about a WordPress site " * 2, "Ünïcödé 標題 " * 3] * 4)
    ]
    notes = [["client's payment method is not verified"] if i % 2 else [] for i in range(len(rows))]

    def render(measured: bool) -> str:
        table = fitted_table(JOBS_TABLE, rows, main="title", width=width, notes=notes, fold_order=("source", "age"))
        if measured:
            for column in table.columns:
                if column.width is not None:
                    column.min_width, column.width = column.width, None
        out = io.StringIO()
        Console(file=out, width=width, force_terminal=True, color_system="standard").print(table)
        return out.getvalue()

    fast = render(measured=False)
    assert "quality" in fast
    assert fast == render(measured=True)
