"""Words that match the evidence: a ghost probability only from a calibrated model, else a level and its basis."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import httpx
from click.testing import CliRunner
from sqlalchemy import Engine

from jobsift.cli import main
from jobsift.config import config_from_dict
from jobsift.publish.digest import preview
from jobsift.publish.feed import item_html
from jobsift.publish.server import ThreadedServer
from jobsift.publish.web import create_app
from jobsift.scoring import evidence
from jobsift.scoring.model import rules_only
from jobsift.scoring.score import compute_score, score_pending
from jobsift.store.queries import JobFilter, list_jobs
from tests.scoring.factory import BAD_CLIENT, LONG_TEXT, T0, latest, posting, store

CALIBRATION = {"method": "platt", "outcomes": 412, "clients": 301, "never_hired": 250, "a": 1.0, "b": 0.0}
DEFAULTS_LINE = "not yet calibrated on outcomes (no outcomes resolved yet)"


def test_levels_and_sentences() -> None:
    assert [evidence.risk_level(p) for p in (0.17, 0.34, 0.35, 0.59, 0.6, 0.99)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]
    b = evidence.basis(CALIBRATION, 0.61, 0.6)
    assert evidence.headline(0.61, b) == (
        "61%: of 412 resolved postings like this in your store, about 6 in 10 never hired"
    )
    assert "calibrated (platt) on 412 resolved outcomes in your store from 301 clients" in evidence.basis_line(b)
    d = evidence.basis(None, 0.61, 0.6, outcomes_resolved=0)
    assert evidence.headline(0.61, d) == "ghost risk: high"
    line = evidence.basis_line(d)
    assert DEFAULTS_LINE in line
    assert "'jobsift train' calibrates them once the store has 200 resolved outcomes" in line
    assert "12 outcomes resolved so far" in evidence.basis_line({**d, "outcomes_resolved": 12})
    # A row from before the basis existed reads as uncalibrated.
    assert evidence.ghost_words({"ghost_probability": 0.4, "ghost_basis": None}) == "ghost risk: medium"


def _features() -> dict[str, object]:
    return {
        "client_jobs_posted": 30,
        "client_jobs_with_hires": 0,
        "client_hire_rate": 0.0,
        "client_total_spent": 0.0,
        "client_open_jobs": 12,
    }


def test_the_ghost_reason_is_worded_for_the_model_that_made_it() -> None:
    default = compute_score(_features(), rules_only())
    assert "ghost" in default.flags
    assert default.reasons[0].text == "ghost risk: high"
    assert next(r.text for r in default.reasons if r.code == "quality.ghost") == "ghost risk high"
    calibrated = compute_score(_features(), replace(rules_only(), version="cal-1", calibration=CALIBRATION))
    p = calibrated.ghost_probability
    assert p is not None
    assert calibrated.reasons[0].text.startswith(f"{p:.0%}: of 412 resolved postings like this in your store")
    assert calibrated.ghost_basis == {
        "calibrated": True,
        "method": "platt",
        "outcomes": 412,
        "clients": 301,
        "never_hired": 250,
    }


def test_every_output_words_each_stored_score_for_its_model(engine: Engine, db_url: str) -> None:
    cfg = config_from_dict({"database": {"url": db_url}}, env={})
    store(engine, [posting("old", title="Shopify migration", description=LONG_TEXT, client=BAD_CLIENT)], when=T0)
    score_pending(engine, cfg, now=T0, model=rules_only())
    store(
        engine,
        [posting("new", title="Shopify theme fixes", description=LONG_TEXT + " More pages.", client=BAD_CLIENT)],
        when=T0,
    )
    score_pending(engine, cfg, now=T0, model=replace(rules_only(), version="cal-1", calibration=CALIBRATION))
    rows = latest(engine)
    assert rows["old"]["ghost_basis"]["calibrated"] is False
    assert rows["old"]["ghost_basis"]["outcomes_resolved"] == 0
    assert rows["new"]["ghost_basis"]["calibrated"] is True
    with engine.connect() as conn:
        jobs = {j.external_id: j for j in list_jobs(conn, JobFilter(limit=None))}
    old, new = jobs["old"], jobs["new"]
    p_new = new.ghost_probability

    with ThreadedServer(create_app(engine, cfg)) as url, httpx.Client(base_url=url, timeout=10) as http:
        page = http.get("/").text
        assert "ghost risk: high" in page
        assert f"{p_new:.0%}: of 412 resolved postings like this in your store" in page
        assert DEFAULTS_LINE in page
        assert "calibrated (platt) on 412 resolved outcomes" in page
        old_page = http.get(f"/jobs/{old.id}").text
        assert "<th>Ghost risk</th><td>ghost risk: high" in old_page
        assert DEFAULTS_LINE in old_page
        assert f"{old.ghost_probability * 100:.0f}%" not in old_page.split("Ghost risk")[1].split("</tr>")[0]
        new_page = http.get(f"/jobs/{new.id}").text
        assert "<th>Ghost probability</th>" in new_page
        api = {j["external_id"]: j for j in http.get("/api/jobs").json()["jobs"]}
        assert api["old"]["calibrated"] is False
        assert api["old"]["ghost_probability"] == old.ghost_probability
        assert api["old"]["ghost_basis"]["level"] == "high"
        assert api["new"]["calibrated"] is True
        assert api["new"]["ghost_basis"]["outcomes"] == 412
        assert http.get(f"/api/jobs/{old.id}").json()["calibrated"] is False
        feed = http.get("/feed.xml").text
        assert "Ghost risk: high. Ghost risk levels come from default weights" in feed

    assert "Ghost risk: high." in item_html(old)
    d = preview(
        engine, replace(cfg, digest=replace(cfg.digest, min_quality=0)), "me@example.com", now=T0 + timedelta(hours=1)
    )
    assert d.jobs
    assert DEFAULTS_LINE in d.text
    assert DEFAULTS_LINE in d.html

    runner = CliRunner()
    listed = runner.invoke(main, ["--db", db_url, "jobs"])
    assert listed.exit_code == 0, listed.output
    assert DEFAULTS_LINE in listed.output
    assert "calibrated (platt) on 412" in listed.output
    explained = runner.invoke(main, ["--db", db_url, "explain", str(old.id), "--json"])
    data = json.loads(explained.output)
    assert data["calibrated"] is False
    assert data["ghost_words"] == "ghost risk: high"
    assert DEFAULTS_LINE in data["basis_line"]
    text = runner.invoke(main, ["--db", db_url, "explain", str(old.id)])
    assert "ghost risk: high" in text.output
    assert DEFAULTS_LINE in text.output
