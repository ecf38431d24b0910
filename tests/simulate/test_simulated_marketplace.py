"""End to end on the simulated marketplace served on loopback: crawl, re-observe, outcomes, labels, train.

Both backends. The simulator answers in the Upwork GraphQL and Freelancer.com API shapes; the real
crawl, re-observation (polite fetcher), outcome store, observed labels and training run unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from jobsift.crawler.run import crawl
from jobsift.model import Observation
from jobsift.scoring.score import score_pending
from jobsift.simulate.market import SimPosting, simulate
from jobsift.simulate.server import SimServer, freelancer_id
from jobsift.store import outcomes as store
from jobsift.store.schema import labels, outcome_events, posting_outcomes, postings
from tests.simulate.sim import run_reobserve, sim_config


def _ids(engine: Engine) -> dict[tuple[str, str], int]:
    with engine.connect() as conn:
        return {
            (r.source, r.external_id): r.id
            for r in conn.execute(select(postings.c.source, postings.c.external_id, postings.c.id))
        }


def _key(p: SimPosting) -> tuple[str, str]:
    return ("upwork-sim", p.key) if p.source == "upwork" else ("freelancer-sim", freelancer_id(p))


def test_outcomes_are_observed_stored_once_labelled_and_stop_at_resolution(engine: Engine, tmp_path: Path) -> None:
    url = engine.url.render_as_string(hide_password=False)
    market = simulate(14, seed=3, days=1.0, postings_per_client=2.0)
    with SimServer(market) as server:
        cfg = sim_config(url, server)
        server.day = 1.0
        report = crawl(engine, cfg, now=server.now)
        assert report.status == "ok", [(o.name, o.reason) for o in report.outcomes]
        score_pending(engine, cfg, now=server.now())
        ids = _ids(engine)
        assert len(ids) == len(market.postings)  # all were open on day 1
        for day in (2.0, 4.0, 8.0, 15.0, 31.0):
            server.day = day
            crawl(engine, cfg, now=server.now)
            run_reobserve(engine, cfg, server)
            score_pending(engine, cfg, now=server.now())
        with engine.connect() as conn:
            shown = dict(
                conn.execute(
                    select(postings.c.id, store.outcome_column()).select_from(
                        postings.outerjoin(posting_outcomes, posting_outcomes.c.posting_id == postings.c.id)
                    )
                ).all()
            )
            observed = dict(
                conn.execute(select(labels.c.posting_id, labels.c.label).where(labels.c.origin == "observed")).all()
            )
            events = conn.execute(select(func.count()).select_from(outcome_events)).scalar_one()
        truth = {ids[_key(p)]: p for p in market.postings}
        for pid, p in truth.items():
            final = p.state(31.0)
            if p.label is None:  # censored: gone from the listing, details "not found"
                assert shown[pid] in ("gone", "unknown", "open"), (p, shown[pid])
                assert pid not in observed
            else:
                assert shown[pid] == final, (p.key, final, shown[pid])
                assert observed[pid] == final
        assert set(observed.values()) == {"hired", "closed_no_hire"}
        # Nothing more to ask: every posting is resolved or its schedule is over; nothing is re-asked.
        before = len(server.requests)
        server.day = 60.0
        again = run_reobserve(engine, cfg, server)
        assert again.requests == 0
        assert len(server.requests) == before
        # The same outcome arriving again (e.g. for a rescored posting) is stored once.
        score_pending(engine, cfg, rescore_all=True, now=server.now())
        hired_id = next(pid for pid, lab in observed.items() if lab == "hired")
        with engine.begin() as conn:
            again_hired = Observation("hired", "sub_status", "closed_awarded")
            assert store.record(conn, hired_id, again_hired, server.now()) is False
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(outcome_events)).scalar_one() == events
            assert (
                conn.execute(
                    select(func.count())
                    .select_from(labels)
                    .where(labels.c.origin == "observed", labels.c.posting_id == hired_id)
                ).scalar_one()
                == 1
            )
        # jobs --outcome hired lists exactly the hired postings, and the outcome is in the JSON.
        from jobsift.cli import main

        res = CliRunner().invoke(
            main, ["--db", url, "jobs", "--outcome", "hired", "--format", "json", "--limit", "1000"]
        )
        assert res.exit_code == 0, res.output
        listed = json.loads(res.output)
        assert {j["id"] for j in listed} == {pid for pid, lab in observed.items() if lab == "hired"}
        assert all(j["outcome"] == "hired" and j["outcome_observed"]["source_field"] for j in listed)
        hist = CliRunner().invoke(main, ["--db", url, "outcome", str(hired_id), "--json"])
        assert hist.exit_code == 0, hist.output
        assert json.loads(hist.output)["events"][-1]["outcome"] == "hired"


def test_reobservation_keeps_to_the_daily_budget_per_source(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    market = simulate(10, seed=4, days=1.0, postings_per_client=2.0, sources=("freelancer",))
    with SimServer(market) as server:
        cfg = sim_config(url, server, requests_per_source_per_day=3)
        server.day = 1.0
        crawl(engine, cfg, ["freelancer-sim"], now=server.now)
        server.day = 2.5
        first = run_reobserve(engine, cfg, server)
        assert first.requests == 3
        assert server.hits("/api/projects/0.1/projects/") - server.hits("/api/projects/0.1/projects/active") == 3
        second = run_reobserve(engine, cfg, server)
        assert second.requests == 0
        assert second.over_budget == ["freelancer-sim"]
        server.day = 3.6  # a day later the budget is there again
        assert run_reobserve(engine, cfg, server).requests == 3


def test_reobservation_obeys_robots_txt(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    market = simulate(4, seed=5, days=1.0, sources=("freelancer",))
    with SimServer(market) as server:
        cfg = sim_config(url, server)
        server.day = 1.0
        crawl(engine, cfg, ["freelancer-sim"], now=server.now)
        listing_hits = server.hits("/api/projects/0.1/projects/")
        server.robots = "User-agent: *\nDisallow: /api/projects/0.1/projects/\n"
        server.day = 2.5
        report = run_reobserve(engine, cfg, server)
        assert report.requests == 0
        assert "blocked_by_robots" in report.stopped["freelancer-sim"]
        assert server.hits("/api/projects/0.1/projects/") == listing_hits  # robots.txt fetched, nothing else
        with engine.connect() as conn:  # the claimed check was given back: still due, nothing recorded
            assert conn.execute(select(func.count()).select_from(outcome_events)).scalar_one() == 0
            due = store.due(conn, "freelancer-sim", server.now(), 100)
        assert len(due) == len(market.postings)


def test_unknown_and_gone_postings_never_become_labels(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    market = simulate(8, seed=6, days=1.0, sources=("upwork",), censored_share=1.0)
    censored = {p.key for p in market.postings if p.label is None}
    assert censored  # vanished before their outcome showed
    with SimServer(market) as server:
        cfg = sim_config(url, server)
        server.day = 1.0
        crawl(engine, cfg, ["upwork-sim"], now=server.now)
        for day in (2.0, 4.0, 8.0, 15.0, 31.0):
            server.day = day
            run_reobserve(engine, cfg, server)
        with engine.connect() as conn:
            rows = conn.execute(
                select(postings.c.external_id, posting_outcomes.c.outcome, posting_outcomes.c.resolved_at).join(
                    posting_outcomes, posting_outcomes.c.posting_id == postings.c.id
                )
            ).all()
            labelled = set(
                conn.execute(
                    select(postings.c.external_id).join(labels, labels.c.posting_id == postings.c.id)
                ).scalars()
            )
    state = {r.external_id: (r.outcome, r.resolved_at) for r in rows}
    # The details answer "not found" once gone: unknown, never resolved, never a label.
    assert all(state[k][0] == "unknown" and state[k][1] is None for k in censored)
    assert not (labelled & censored)
    assert labelled == {p.key for p in market.postings if p.label is not None}


def test_daemon_and_workers_reobserve_after_their_crawl(engine: Engine) -> None:
    """BatchRunner (shared by ``jobsift schedule`` and ``jobsift worker``) re-observes the batch's sources."""
    import asyncio

    from jobsift.scheduling.batch import BatchRunner

    url = engine.url.render_as_string(hide_password=False)
    market = simulate(5, seed=7, days=1.0, sources=("freelancer",))
    with SimServer(market) as server:
        cfg = sim_config(url, server)
        runner = BatchRunner(engine, cfg, owner="test:1", trigger="worker", now=server.now)
        server.day = 1.0
        asyncio.run(runner.run(["freelancer-sim"]))
        server.day = 2.5
        asyncio.run(runner.run(["freelancer-sim"]))
        with engine.connect() as conn:
            checks = conn.execute(select(func.sum(posting_outcomes.c.checks))).scalar_one()
    assert checks == len(market.postings)
