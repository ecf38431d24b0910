"""R39: concurrent writers (score + score, crawl + score) leave exactly one latest score per posting, the
newest, and do not score the same posting twice; two real processes on both backends."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, case, func, select

from jobsift.scoring.score import score_pending
from jobsift.store.schema import postings, scores
from tests.scoring.factory import T0, config, posting, store

ROOT = Path(__file__).resolve().parents[2]
N = 400  # eight batches of 50 (set in each process) so that the two processes' batches interleave
WORDS = "python django react data pipeline design logo shopify seo mobile flutter testing api cloud".split()  # noqa: SIM905

SCORER = """
import sys
from datetime import timedelta
import jobsift.scoring.score as score
from jobsift.scoring.score import score_pending
score.BATCH = 50
from jobsift.store.db import make_engine
from tests.scoring.factory import T0, config
url, hours = sys.argv[1], float(sys.argv[2])
engine = make_engine(url)
report = score_pending(engine, config(url), now=T0 + timedelta(hours=hours))
print(report.scored, report.skipped)
"""


def items(amount: float = 100.0) -> list:  # type: ignore[type-arg]
    """N postings with unrelated texts (identical texts would all be reposts of each other)."""
    rng = random.Random(7)
    return [
        posting(
            f"p{i}",
            amount=amount + i,
            description=" ".join(rng.choice(WORDS) + str(rng.randint(0, 99)) for _ in range(40)),
        )
        for i in range(N)
    ]


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _spawn(url: str, hours: float) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", SCORER, url, str(hours)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def assert_one_newest_latest(engine: Engine, n_postings: int) -> None:
    with engine.connect() as conn:
        per_posting = conn.execute(
            select(
                scores.c.posting_id,
                func.sum(case((scores.c.is_latest, 1), else_=0)),
                func.max(scores.c.scored_at),
            ).group_by(scores.c.posting_id)
        ).all()
        latest_at = dict(conn.execute(select(scores.c.posting_id, scores.c.scored_at).where(scores.c.is_latest)).all())
    assert len(per_posting) == n_postings
    for pid, n_latest, newest in per_posting:
        assert n_latest == 1, pid
        assert latest_at[pid] == newest, pid  # the latest row carries the newest time


def test_r39_two_scoring_processes_score_each_posting_once(engine: Engine) -> None:
    store(engine, items())
    url = _url(engine)
    first, second = _spawn(url, 1.0), _spawn(url, 2.0)
    outs = [p.communicate(timeout=600) for p in (first, second)]
    for proc, (_out, err) in zip((first, second), outs, strict=True):
        assert proc.returncode == 0, err[-2000:]
    scored = sum(int(out.split()[0]) for out, _ in outs)
    assert scored == N  # each posting scored by one of the two
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(scores)).scalar_one() == N
        assert conn.execute(select(func.count()).where(postings.c.needs_scoring.is_(True))).scalar_one() == 0
    assert_one_newest_latest(engine, N)


def test_r39_a_later_rescore_is_never_retired_by_an_earlier_one(engine: Engine) -> None:
    store(engine, items()[:50])
    cfg = config(_url(engine))
    score_pending(engine, cfg, now=T0)
    later = score_pending(engine, cfg, rescore_all=True, now=T0 + timedelta(hours=3))
    earlier = score_pending(engine, cfg, rescore_all=True, now=T0 + timedelta(hours=2))  # started first, wrote last
    assert later.scored == 50
    assert earlier.scored == 0
    assert earlier.skipped == 50
    assert_one_newest_latest(engine, 50)


@pytest.mark.parametrize("rounds", [6])
def test_r39_crawl_and_score_at_once_keep_one_newest_latest(engine: Engine, rounds: int) -> None:
    """A writer keeps changing postings (as a crawl does) while a process scores: every change is
    either scored from what is stored or left pending, never marked scored with stale features."""
    store(engine, items())
    url = _url(engine)
    stop = threading.Event()

    def crawl_like() -> None:
        for r in range(rounds):
            if stop.is_set():
                return
            store(engine, items(500.0 + r)[::3], when=T0)

    writer = threading.Thread(target=crawl_like)
    proc = _spawn(url, 1.0)
    writer.start()
    _out, err = proc.communicate(timeout=600)
    stop.set()
    writer.join(timeout=600)
    assert proc.returncode == 0, err[-2000:]
    score_pending(engine, config(url), now=T0 + timedelta(hours=2))  # what was left pending
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).where(postings.c.needs_scoring.is_(True))).scalar_one() == 0
        stale = conn.execute(
            select(func.count())
            .select_from(scores.join(postings, postings.c.id == scores.c.posting_id))
            .where(scores.c.is_latest, postings.c.budget_max != scores.c.features["budget_usd"].as_float())
        ).scalar_one()
    assert stale == 0  # every latest score was computed from the posting as stored
    assert_one_newest_latest(engine, N)
