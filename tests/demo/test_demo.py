"""`jobsift demo`: offline, end to end, readable, and idempotent."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from jobsift.cli import main
from jobsift.demo.sources import DEMO_SOURCES
from jobsift.store.db import make_engine
from jobsift.store.schema import postings, sources


def test_demo_crawls_every_demo_source_and_prints_postings(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    runner = CliRunner()
    result = runner.invoke(main, ["demo", "--dir", str(out)])
    assert result.exit_code == 0, result.output
    assert "demo postings" in result.output
    for flag in ("scam", "ghost", "payment_unverified", "lowball"):
        assert f"  {flag} (" in result.output, f"the demo shows no {flag} example"
    # The registration-fee posting reads as scam, not as a ghost in amber.
    scam_example = result.output.split("  scam (")[1].split("  ghost (")[0]
    assert "Data entry from home" in scam_example
    assert "looks like a scam: asks the applicant to pay" in scam_example
    # The ghost example's explain excerpt: its signals and a reproduced score.
    excerpt = result.output.split("What 'jobsift explain ")[1]
    assert "ghost risk: high: figure 0." in excerpt  # default weights: a level, not a probability
    assert "not yet calibrated on outcomes (no outcomes resolved yet)" in excerpt
    assert "jobsift train" in excerpt
    assert "likely to never lead to a hire" not in result.output
    assert "intercept -1.60" in excerpt
    assert "recomputed from the stored features with ghost-" in excerpt
    assert ": identical" in excerpt
    fee = next(
        line.split()
        for line in result.output.splitlines()
        if "Data entry from home" in line and line.split()[0].isdigit()
    )
    assert fee[2] == "scam"  # id, quality, first flag, title...
    assert int(fee[1]) <= 10
    # A marketplace source up close, and the ledger over the demo's applications (also in the report).
    assert "A marketplace source: demo-freelancer" in result.output
    assert "bids, payment verified" in result.output
    assert "The connects ledger, with 6 demo applications (64 connects, 2 replies, 1 hire)" in result.output
    assert "jobs rated 70+: one reply per " in result.output  # the best rated got the replies
    assert "Connects ledger" in (out / "report.html").read_text()
    for name in ("feed", "digest", "report"):
        assert (out / {"feed": "feed.xml", "digest": "digest.html", "report": "report.html"}[name]).stat().st_size > 500
    explained = runner.invoke(
        main, ["--db", f"sqlite:///{out / 'jobsift-demo.db'}", "explain", result.output.split("explain ")[1].split()[0]]
    )
    assert explained.exit_code == 0, explained.output
    assert "identical" in explained.output
    assert str(out / "jobsift-demo.db") in result.output
    engine = make_engine(f"sqlite:///{out / 'jobsift-demo.db'}")
    try:
        with engine.connect() as conn:
            outcomes = dict(conn.execute(select(sources.c.name, sources.c.last_outcome)).all())
            per_source = dict(conn.execute(select(postings.c.source, func.count()).group_by(postings.c.source)).all())
            total = conn.execute(select(func.count()).select_from(postings)).scalar_one()
    finally:
        engine.dispose()
    assert set(outcomes) == {s.name for s in DEMO_SOURCES}
    assert set(outcomes.values()) == {"ok"}, outcomes
    assert all(per_source.get(s.name, 0) > 0 for s in DEMO_SOURCES), per_source
    # Running it again starts from a fresh database: same count, no duplicates.
    again = runner.invoke(main, ["demo", "--dir", str(out)])
    assert again.exit_code == 0, again.output
    engine = make_engine(f"sqlite:///{out / 'jobsift-demo.db'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(postings)).scalar_one() == total
    finally:
        engine.dispose()


def test_demo_config_round_trips_with_every_source_option(tmp_path: Path) -> None:
    from jobsift.config import load_config
    from jobsift.demo.run import demo_config, write_config

    cfg = demo_config("http://127.0.0.1:1", tmp_path)
    write_config(cfg, tmp_path / "jobsift.toml")
    loaded = load_config(tmp_path / "jobsift.toml", env={})
    assert [(s.name, s.format, s.url, s.browser, s.options) for s in loaded.sources] == [
        (s.name, s.format, s.url, s.browser, s.options) for s in cfg.sources
    ]
    assert any(s.options for s in loaded.sources)
