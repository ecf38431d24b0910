"""Upgrading a store from before the flag registry rescores it: its scam postings then read as scam."""

from __future__ import annotations

from alembic import command
from click.testing import CliRunner
from sqlalchemy import select, update

from jobsift.cli import main
from jobsift.scoring.score import score_pending
from jobsift.store.db import alembic_config, current_revision, head_revision, make_engine
from jobsift.store.schema import postings
from tests.scoring.factory import GOOD_CLIENT, T0, config, latest, posting, store

FEE = "Earn $800/day! Pay a $50 registration fee, then WhatsApp me to start."


def test_upgrade_marks_every_posting_for_rescoring_and_says_so(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        command.upgrade(alembic_config(engine), "0003")
        store(engine, [posting("fee", title="Data entry", description=FEE, client=GOOD_CLIENT)], when=T0)
        with engine.begin() as conn:  # as if scored before the upgrade
            conn.execute(update(postings).values(needs_scoring=False))
        result = CliRunner().invoke(main, ["--db", db_url, "db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "(was 0003)" in result.output
        assert "1 postings need scoring" in result.output
        assert "jobsift score --all" in result.output
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            assert conn.execute(select(postings.c.needs_scoring)).scalar_one() is True
        report = score_pending(engine, config(db_url), now=T0)
        assert report.scored == 1
        row = latest(engine)["fee"]
        assert "scam" in row["flags"]
        assert row["quality"] <= 10
        again = CliRunner().invoke(main, ["--db", db_url, "db", "upgrade"])
        assert "need scoring" not in again.output  # nothing changed, nothing to say
    finally:
        engine.dispose()
