"""The detail page says what each number behind a reason is, in words (not "1 · 1.5 · +1.5")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from jobsift.config import load_config
from jobsift.publish.present import reason_figures
from jobsift.publish.server import ThreadedServer
from jobsift.publish.web import create_app
from jobsift.scoring.score import score_pending
from jobsift.store.db import open_store
from tests.publish.data import seed


@pytest.fixture(scope="module")
def scored_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    engine: Engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('words') / 'jobsift.db'}")
    try:
        ids = seed(engine)
        cfg = load_config(None, env={})
        score_pending(engine, cfg, rescore_all=True)  # the real scorer's reasons, every kind
        with ThreadedServer(create_app(engine, cfg)) as url:
            yield url, ids
    finally:
        engine.dispose()


def reason_cells(html: str) -> list[str]:
    table = html.split("The figures behind it", 1)[1].split("</table>", 1)[0]
    return [re.sub(r"\s+", " ", c).strip() for c in re.findall(r"<td>(.*?)</td>", table, re.S)]


@pytest.mark.parametrize("ext", ["a2", "b3", "a1", "b2"])
def test_every_figure_on_the_detail_page_is_named(scored_site: tuple[str, dict[str, int]], ext: str) -> None:
    url, ids = scored_site
    page = httpx.get(f"{url}/jobs/{ids[ext]}", timeout=10)
    assert page.status_code == 200
    cells = reason_cells(page.text)
    assert cells
    for cell in cells:
        # Each figure is a phrase with a word in it; no cell is bare numbers joined by dots.
        for figure in cell.split(" · "):
            assert re.search(r"[a-z]{3,}", figure), f"unlabelled figure {figure!r} in {cell!r}"
    assert "value · reference · contribution" not in page.text


def test_the_ghost_job_names_probability_signals_and_quality_points(scored_site: tuple[str, dict[str, int]]) -> None:
    url, ids = scored_site
    text = " ".join(reason_cells(httpx.get(f"{url}/jobs/{ids['a2']}", timeout=10).text))
    assert "to the ghost log-odds" in text
    assert "quality points" in text
    assert "market median $" in text


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ({"code": "ghost", "value": 0.668, "reference": 0.6}, "ghost probability 67% · flagged from 60%"),
        (
            {"code": "ghost.off_platform_contact", "value": 1.0, "reference": 1.2, "contribution": 1.2},
            "signal value 1 · weight 1.2 · +1.2 to the ghost log-odds",
        ),
        ({"code": "lowball", "value": 25.0, "reference": 250.0}, "budget $25 · market median $250"),
        ({"code": "lowball.floor", "value": 25.0, "reference": 30.0}, "budget $25 · your floor $30"),
        ({"code": "payment_unverified", "value": "unverified"}, "payment unverified"),
        ({"code": "quality.ghost", "contribution": -10.56}, "-10.6 quality points"),
        (
            {"code": "something.new", "value": 1.0, "reference": 2.0, "contribution": -1.5},
            "value 1 · compared with 2 · effect -1.5",
        ),
        ({"code": "payment.unknown", "value": None, "contribution": 0.0}, ""),
    ],
)
def test_reason_figures_in_words(reason: dict[str, Any], words: str) -> None:
    assert reason_figures(reason) == words
