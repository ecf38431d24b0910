"""``jobsift report``: one self-contained HTML file, rendered in real Chromium."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from jobsift.cli import main
from jobsift.publish.report import build_report
from tests.publish.browser import CHROMIUM, chromium, is_png
from tests.publish.data import seed_history


def test_report_is_self_contained_with_every_section(sqlite_engine: Engine, sqlite_url: str, tmp_path: Path) -> None:
    seed_history(sqlite_engine)
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["--db", sqlite_url, "report", "--out", str(out), "--days", "30"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    for heading in (
        "Flag rates by source over time",
        "Budgets against the market, by category",
        "Clients with the strongest ghost signals",
        "Source health",
    ):
        assert heading in html
    assert html.count("<svg") == 4  # four plots, inline
    assert "Ghost client" in html
    assert "robots.txt forbids /jobs.rss" in html
    # Self-contained: nothing is loaded from anywhere when the file is opened.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    assert "<script" not in html
    assert "<link" not in html


def test_report_on_an_empty_store_says_so(sqlite_engine: Engine) -> None:
    html = build_report(sqlite_engine, days=7)
    assert "No scored jobs in this period." in html
    assert "<svg" not in html


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no Chromium")
def test_report_renders_in_chromium(sqlite_engine: Engine, tmp_path: Path) -> None:
    seed_history(sqlite_engine)
    out = tmp_path / "report.html"
    out.write_text(build_report(sqlite_engine, days=30), encoding="utf-8")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(out.as_uri())
        assert page.locator("section.panel svg").count() == 4
        box = page.locator("section.panel svg").first.bounding_box()
        assert box is not None
        assert box["width"] > 600
        shot = page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        page.close()
    assert is_png(shot, 50_000)
    assert requests == [out.as_uri()]  # the file alone: no fonts, scripts or images fetched


def test_report_on_a_single_day_of_jobs(sqlite_engine: Engine) -> None:
    from tests.publish.data import seed

    seed(sqlite_engine)  # every job within a few hours: a one-day date axis
    html = build_report(sqlite_engine, days=2)
    assert html.count("<svg") == 3  # no fetches recorded, so no health plot
    assert "Source health" in html
