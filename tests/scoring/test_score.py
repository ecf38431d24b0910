"""score_pending on both backends: rows, latest flags, reposts across runs and sources, R23, explain."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from jobsift.model import Client
from jobsift.scoring import features as feat
from jobsift.scoring import rules
from jobsift.scoring.explain import explain
from jobsift.scoring.score import score_pending
from jobsift.store.schema import postings, scores
from tests.scoring.factory import BAD_CLIENT, GOOD_CLIENT, T0, config, latest, posting, store


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_scores_are_written_with_latest_flags_and_reasons(engine: Engine) -> None:
    store(
        engine,
        [
            posting("good", client=GOOD_CLIENT),
            posting(
                "bad",
                client=BAD_CLIENT,
                description="Send your CV to jobs.now@example.org. Complete an unpaid test task before we talk. " * 3,
            ),
            posting("cheap", amount=5.0, client=GOOD_CLIENT),
        ],
    )
    cfg = config(_url(engine))
    report = score_pending(engine, cfg, now=T0 + timedelta(hours=1))
    assert (report.scored, report.failed) == (3, 0)
    rows = latest(engine)
    assert rows["good"]["flags"] == []
    assert rows["good"]["flags_text"] == ",,"
    assert set(rows["bad"]["flags"]) == {"ghost", "payment_unverified"}
    assert rows["bad"]["flags_text"] == ",ghost,payment_unverified,"
    assert rows["cheap"]["flags"] == ["lowball"]
    assert rows["cheap"]["quality"] < rows["good"]["quality"]
    assert all({"code", "text", "value", "reference", "contribution", "flag"} <= set(r) for r in rows["bad"]["reasons"])
    assert rows["bad"]["features"]["client_jobs_posted"] == 30
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).where(postings.c.needs_scoring.is_(True))).scalar_one() == 0
    # Listing filters use LIKE on flags_text.
    with engine.connect() as conn:
        ghosts = conn.execute(
            select(func.count()).select_from(scores).where(scores.c.flags_text.like("%,ghost,%"))
        ).scalar_one()
    assert ghosts == 1


def test_rescore_all_keeps_history_with_one_latest_row(engine: Engine) -> None:
    store(engine, [posting("a"), posting("b")])
    cfg = config(_url(engine))
    score_pending(engine, cfg, now=T0)
    assert score_pending(engine, cfg, now=T0).scored == 0  # nothing pending
    assert score_pending(engine, cfg, rescore_all=True, now=T0 + timedelta(days=1)).scored == 2
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(scores)).scalar_one()
        latest_n = conn.execute(
            select(func.count()).select_from(scores).where(scores.c.is_latest.is_(True))
        ).scalar_one()
    assert (total, latest_n) == (4, 2)


def test_reposts_across_runs_and_sources_count_as_a_ghost_signal(engine: Engine) -> None:
    client = Client(key="c1", name="Repeat Poster", payment_verified=True)
    other = Client(key="c2", name="Someone Else", payment_verified=True)
    store(engine, [posting("first", source="upwork", client=client)], when=T0)
    cfg = config(_url(engine))
    score_pending(engine, cfg, now=T0)
    assert latest(engine)["first"]["features"]["reposts"] == 0
    # Next run: the same client posts the text again, it shows up on another source, and an
    # unrelated client on the same source uses the same template.
    later = T0 + timedelta(days=3)
    store(
        engine,
        [
            posting("again", source="upwork", client=client, title="Shopify catalogue migration for a ceramics shop!"),
            posting("other-client", source="upwork", client=other),
        ],
        when=later,
    )
    store(engine, [posting("elsewhere", source="freelancer")], when=later)
    score_pending(engine, cfg, now=later)
    rows = latest(engine)
    assert rows["again"]["features"]["reposts"] == 2  # "first" (same client) and "elsewhere" (other source)
    assert rows["elsewhere"]["features"]["reposts"] == 3  # every upwork copy
    assert rows["other-client"]["features"]["reposts"] == 1  # only the cross-source copy
    assert any(r["code"] == "ghost.reposted" for r in rows["again"]["reasons"])
    score_pending(engine, cfg, rescore_all=True, now=later)
    assert latest(engine)["first"]["features"]["reposts"] == 2


def test_unknown_client_and_budget_are_not_bad(engine: Engine) -> None:
    store(engine, [posting("bare", amount=None, client=None)])
    score_pending(engine, config(_url(engine)), now=T0)
    row = latest(engine)["bare"]
    assert row["flags"] == []
    assert row["payment_status"] == "unknown"
    assert row["lowball_percentile"] is None
    assert row["features"]["payment_verified"] is None
    assert row["features"]["client_hire_rate"] is None


def test_r23_one_posting_raising_does_not_stop_the_others(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    store(engine, [posting(f"p{i:03d}", title=f"Job number {i} for a ceramics shop catalogue") for i in range(100)])
    real = feat.build_features

    def flaky(p: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if p.external_id == "p042":
            raise ValueError("boom")
        return real(p, *args, **kwargs)

    monkeypatch.setattr(feat, "build_features", flaky)
    cfg = config(_url(engine))
    report = score_pending(engine, cfg, now=T0)
    assert (report.scored, report.failed) == (99, 1)
    with engine.connect() as conn:
        bad = conn.execute(
            select(postings.c.needs_scoring, postings.c.score_error).where(postings.c.external_id == "p042")
        ).one()
        n_posts = conn.execute(select(func.count()).select_from(postings)).scalar_one()
    assert n_posts == 100
    assert bad.needs_scoring is True
    assert "boom" in bad.score_error
    assert len(latest(engine)) == 99
    monkeypatch.setattr(feat, "build_features", real)
    assert score_pending(engine, cfg, now=T0).scored == 1  # recorded for rescoring, picked up next time
    with engine.connect() as conn:
        assert conn.execute(select(postings.c.score_error).where(postings.c.external_id == "p042")).scalar() is None


def test_explain_reproduces_every_stored_score_exactly(engine: Engine) -> None:
    store(
        engine,
        [
            posting("good", client=GOOD_CLIENT),
            posting("bad", client=BAD_CLIENT),
            posting("cheap", amount=7.5, kind="hourly", client=None),
            posting("text", description="Earn $400 per day from home. Message me on WhatsApp. " * 4),
        ],
    )
    url = _url(engine)
    report = score_pending(engine, config(url), now=T0)
    assert report.model_version.startswith("ghost-")  # the shipped model was used
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(select(postings.c.id))]
    for pid in ids:
        out = explain(engine, pid, url)
        assert out["reproduced"] is True, out["differences"]
        assert out["recomputed"]["quality"] == out["stored"]["quality"]
        assert out["text_model_rerun"]["same"] is True
        # The signals explain shows add up to the stored probability, not just to their own sum.
        assert rules.sigmoid(out["ghost_logit"]) == pytest.approx(out["stored"]["ghost_probability"], abs=1e-3)
    if engine.dialect.name != "sqlite":
        return  # the CLI leaves its engine to process exit; exercise it on SQLite only
    from jobsift.cli import main

    result = CliRunner().invoke(main, ["--db", url, "explain", str(ids[1]), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["reproduced"] is True
    table = CliRunner().invoke(main, ["--db", url, "explain", str(ids[1])])
    assert table.exit_code == 0
    assert "identical" in table.output


def test_explain_reports_a_tampered_score(engine: Engine) -> None:
    store(engine, [posting("a", client=BAD_CLIENT)])
    url = _url(engine)
    score_pending(engine, config(url), now=T0)
    with engine.begin() as conn:
        conn.execute(scores.update().values(quality=99.0))
        pid = conn.execute(select(postings.c.id)).scalar_one()
    out = explain(engine, pid, url)
    assert out["reproduced"] is False
    assert out["differences"] == ["quality"]


def test_explain_of_a_score_from_a_replaced_model_says_how_to_rescore(engine: Engine) -> None:
    """A score made by a model that is gone (an upgrade replaced the shipped artifact) is not
    recomputed with another model; explain says so and names the command that rescores."""
    store(engine, [posting("a", client=BAD_CLIENT)])
    url = _url(engine)
    score_pending(engine, config(url), now=T0)
    with engine.begin() as conn:
        conn.execute(scores.update().values(model_version="ghost-19990101-000000"))
        pid = conn.execute(select(postings.c.id)).scalar_one()
    out = explain(engine, pid, url)
    assert out["reproduced"] is None
    assert "ghost-19990101-000000 is not available here" in out["differences"][0]
    assert "jobsift score --all" in out["differences"][0]
    score_pending(engine, config(url), now=T0, rescore_all=True)
    assert explain(engine, pid, url)["reproduced"] is True


def test_a_posting_that_vanishes_and_comes_back_counts_a_relist(engine: Engine) -> None:
    from jobsift.store.postings import mark_gone

    store(engine, [posting("a"), posting("b", title="Kubernetes upgrade for a payments team")], when=T0)
    with engine.begin() as conn:
        mark_gone(conn, "s", ["b"], T0 + timedelta(days=1))
    store(
        engine, [posting("a", description="Changed text so the posting is rescored. " * 5)], when=T0 + timedelta(days=4)
    )
    score_pending(engine, config(_url(engine)), now=T0 + timedelta(days=4))
    f = latest(engine)["a"]["features"]
    assert f["relists"] == 1
    assert f["days_since_first_seen"] == 4.0


def test_store_history_moves_the_market(engine: Engine) -> None:
    cfg = config(_url(engine), market_min_samples=30)
    many = [posting(f"m{i}", title=f"Shopify store job {i}", amount=3000.0 + i) for i in range(40)]
    store(engine, [posting("probe", amount=400.0), *many])
    score_pending(engine, cfg, now=T0)
    with_history = latest(engine)["probe"]["lowball_percentile"]
    other = config(_url(engine), market_min_samples=1000)  # history too small to count
    score_pending(engine, other, rescore_all=True, now=T0)
    prior_only = latest(engine)["probe"]["lowball_percentile"]
    assert with_history < prior_only


def test_two_processes_scoring_one_posting_at_once_leave_one_latest_score(engine: Engine) -> None:
    """Workers may score the same posting concurrently; the jobs view must still show it once."""
    import threading
    import time

    from sqlalchemy import text

    from jobsift.model import Score
    from jobsift.scoring.score import score_row
    from jobsift.store.scores import read_keys, write_scores

    def _write_batch(conn: Any, batch: dict[int, Score], _errors: dict[int, str], at: Any) -> None:
        rows = {i: score_row(i, s, at) for i, s in batch.items()}
        write_scores(conn, rows, {}, at, read=read_keys(conn, list(batch)), rescore_all=True)

    store(engine, [posting("a")])
    score_pending(engine, config(_url(engine)), now=T0)  # a first latest row exists
    with engine.connect() as conn:
        pid = conn.execute(select(postings.c.id)).scalar_one()
    score = Score(quality=50.0)
    done = threading.Event()

    def second() -> None:
        with engine.begin() as conn:
            _write_batch(conn, {pid: score}, {}, T0 + timedelta(hours=2))
        done.set()

    with engine.begin() as conn:  # the first writer holds its transaction open...
        _write_batch(conn, {pid: score}, {}, T0 + timedelta(hours=1))
        thread = threading.Thread(target=second)
        thread.start()
        if engine.dialect.name == "postgresql":  # ...until the second is seen waiting on its lock
            deadline = time.monotonic() + 30
            with engine.connect() as probe:
                while (
                    time.monotonic() < deadline
                    and not probe.execute(
                        text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                    ).scalar_one()
                ):
                    time.sleep(0.02)
        assert not done.is_set()
    thread.join(timeout=60)
    assert done.is_set()
    with engine.connect() as conn:
        n_latest = conn.execute(
            select(func.count()).select_from(scores).where(scores.c.posting_id == pid, scores.c.is_latest.is_(True))
        ).scalar_one()
        newest = conn.execute(select(scores.c.scored_at).where(scores.c.posting_id == pid, scores.c.is_latest)).scalar()
    assert n_latest == 1
    assert newest == T0 + timedelta(hours=2)


def test_market_history_grouped_in_sql_matches_one_row_per_posting(engine: Engine) -> None:
    from jobsift.model import Budget
    from jobsift.scoring.market import Market, load_prior, norm_level
    from jobsift.scoring.score import build_market

    def eur(amount: float, usd: float | None) -> Budget:
        return Budget(
            kind="fixed",
            min=amount,
            max=amount,
            currency="EUR",
            min_usd=usd,
            max_usd=usd,
            provenance="field",
            raw=f"EUR {amount}",
        )

    items = []
    for i in range(120):
        amount = (5.0, 50.0, 50.0, 500.0, 0.0, 75.5)[i % 6]
        items.append(
            posting(
                f"p{i}",
                kind=("fixed", "hourly")[i % 2],
                amount=amount,
                skills=(("Shopify",), ("Python", "Django"), ())[i % 3],
                level=("Expert", "Entry Level", None)[i % 3 if i % 5 else 0],
                category=("Web Development", None)[i % 2],
            )
        )
    items += [
        dataclasses.replace(posting("eur-converted"), budget=eur(100.0, 108.0)),
        dataclasses.replace(posting("eur-unconverted"), budget=eur(100.0, None)),
    ]
    items.append(posting("salary", kind="salary_year", amount=90_000.0))
    store(engine, items)
    with engine.connect() as conn:
        grouped = build_market(conn, 5, T0 + timedelta(hours=1))
        rows = [dict(r._mapping) for r in conn.execute(select(postings))]
    expected_records = []
    for r in rows:
        usd = feat.budget_usd(r)
        if r["budget_kind"] in ("fixed", "hourly") and usd is not None:
            skills = list(r["skills"] or []) + ([r["category"]] if r["category"] else [])
            expected_records.append((r["budget_kind"], usd, norm_level(r["experience_level"] or ""), skills))
    expected = Market.from_history(load_prior(), expected_records, 5)
    assert len(expected_records) == 100 + 1  # zero budgets and the unconverted EUR are not market figures
    assert grouped.cells.keys() == expected.cells.keys()
    assert len(grouped.cells) > len(load_prior())  # the store added cells of its own
    for key, cell in expected.cells.items():
        assert (grouped.cells[key].n, grouped.cells[key].label) == (cell.n, cell.label)
        assert list(grouped.cells[key].q) == list(cell.q)
