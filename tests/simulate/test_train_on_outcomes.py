"""From the simulated marketplace on loopback to a calibrated model: crawl, re-observe, label, train, explain."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from jobsift.cli import main
from jobsift.crawler.run import crawl
from jobsift.scoring import model as model_mod
from jobsift.scoring import train as train_mod
from jobsift.scoring.score import score_pending
from jobsift.simulate.market import simulate
from jobsift.simulate.server import SimServer
from jobsift.store.schema import postings
from tests.simulate.sim import run_reobserve, sim_config


def test_train_on_observed_outcomes_calibrates_and_explain_stays_exact(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A small market: lower the minimum so the test stays quick (the rule itself is tested elsewhere).
    monkeypatch.setattr(train_mod, "MIN_EXAMPLES", 40)
    monkeypatch.setattr(train_mod, "MIN_PER_CLASS", 10)
    url = engine.url.render_as_string(hide_password=False)
    market = simulate(40, seed=21, days=1.0, postings_per_client=2.0, sources=("freelancer", "upwork"))
    with SimServer(market) as server:
        cfg = sim_config(url, server)
        server.day = 1.0
        crawl(engine, cfg, now=server.now)
        score_pending(engine, cfg, now=server.now())
        for day in (2.0, 4.0, 8.0, 15.0, 31.0):
            server.day = day
            run_reobserve(engine, cfg, server)
    config_path = tmp_path / "jobsift.toml"
    config_path.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    runner = CliRunner()
    out_dir = tmp_path / "models"
    res = runner.invoke(main, ["--config", str(config_path), "train", "--out", str(out_dir), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    resolved = sum(1 for p in market.postings if p.label is not None)
    assert out["learned_weights"] is True
    assert out["counts"] == {"observed": resolved, "user": 0}
    artifact = model_mod.load_artifact(Path(out["path"]))
    assert artifact.calibrated
    c = artifact.calibration or {}
    assert c["method"] in ("platt", "isotonic")
    assert c["outcomes"] == resolved
    assert c["never_hired"] == sum(1 for p in market.postings if p.label == 1)
    labelled = [p for p in market.postings if p.label is not None]
    # Freelancer.com names the owner; the Upwork search gives no client id, so each posting is its own group.
    assert c["clients"] == len({p.client.key for p in labelled if p.source == "freelancer"}) + sum(
        1 for p in labelled if p.source == "upwork"
    )
    metrics = artifact.manifest["metrics"]["ghost on outcomes (client-grouped CV)"]
    assert {"log_loss", "brier", "brier_skill", "ece", "roc_auc", "reliability", "clients", "outcomes"} <= set(metrics)
    card = (Path(out["path"]) / model_mod.CARD).read_text(encoding="utf-8")
    assert "Calibrated (" in card
    assert "| predicted | n |" in card
    # Scoring with it, explain reproduces the stored figure exactly.
    cfg2 = replace(cfg, scoring=replace(cfg.scoring, model_path=out["path"]))
    report = score_pending(engine, cfg2, rescore_all=True)
    assert report.model_version == artifact.version
    from jobsift.scoring.explain import explain

    with engine.connect() as conn:
        some = conn.execute(select(postings.c.id).order_by(postings.c.id).limit(5)).scalars().all()
    for pid in some:
        data = explain(engine, pid, url, out["path"])
        assert data["reproduced"] is True, data["differences"]
        assert data["calibration"]["method"] == c["method"]
    # evaluate --outcomes: the same figures for the model in use (here the trained one).
    config_path.write_text(f'[database]\nurl = "{url}"\n[scoring]\nmodel_path = "{out["path"]}"\n', encoding="utf-8")
    ev = runner.invoke(main, ["--config", str(config_path), "evaluate", "--outcomes", "--json"])
    assert ev.exit_code == 0, ev.output
    figures = json.loads(ev.output)
    assert figures["model"] == artifact.version
    assert figures["calibrated"] is True
    assert figures["outcomes"] == resolved
    assert {"log_loss", "brier", "brier_skill", "ece", "roc_auc", "reliability"} <= set(figures)


def test_evaluate_outcomes_on_the_default_weights_says_they_are_uncalibrated(
    sqlite_engine: Engine,
    sqlite_url: str,
) -> None:
    res = CliRunner().invoke(main, ["--db", sqlite_url, "evaluate", "--outcomes"])
    assert res.exit_code == 0, res.output
    assert "not calibrated" in res.output
    assert "training needs 200" in res.output
