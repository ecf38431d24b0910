"""``jobsift report``: the calibration plot and the outcome shares per source and category."""

from __future__ import annotations

from sqlalchemy import Engine, select

from jobsift.model import Observation
from jobsift.publish.report import build_report
from jobsift.store import outcomes
from jobsift.store.schema import postings, scores
from tests.publish.data import seed_history


def test_report_shows_calibration_and_outcome_shares(sqlite_engine: Engine) -> None:
    seed_history(sqlite_engine)
    before = build_report(sqlite_engine, days=30)
    assert "No resolved outcomes yet" in before
    with sqlite_engine.begin() as conn:
        rows = conn.execute(
            select(postings.c.id, postings.c.first_seen_at)
            .join(scores, scores.c.posting_id == postings.c.id)
            .where(scores.c.is_latest.is_(True))
            .order_by(postings.c.id)
        ).all()
        for i, (pid, seen) in enumerate(rows):
            obs = (
                Observation("hired", "sub_status", "closed_awarded")
                if i % 3 == 0
                else Observation("closed_no_hire", "sub_status", "closed_expired")
            )
            outcomes.record(conn, pid, obs, seen)
    html = build_report(sqlite_engine, days=30)
    assert "Does the ghost figure match what happened?" in html
    assert "Outcomes by source and category" in html
    assert html.count("<svg") == before.count("<svg") + 1  # the calibration plot, inline
    assert f"{len(rows)} resolved postings" in html
    assert "closed no hire" in html
    assert "ECE" in html
