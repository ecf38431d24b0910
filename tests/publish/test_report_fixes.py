"""The report: unnamed clients get bars of their own, sources without client data keep their worst
posting in the ghost section, weekly points say they are weeks, and fetches are counted whole."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import Engine, insert, select, update

from jobsift.model import Client, Posting
from jobsift.publish.report import build_report
from jobsift.store.postings import upsert_postings
from jobsift.store.schema import fetches, postings, runs, scores, sources
from jobsift.store.sources import ensure_source
from tests.publish.data import NOW, write_score


def add(engine: Engine, source: str, ext: str, title: str, ghost: float, client: Client | None, hours: int) -> None:
    when = NOW - timedelta(hours=hours)
    p = Posting(
        source=source,
        external_id=ext,
        url=f"https://{source}.test/{ext}",
        title=title,
        description_text="work",
        posted_at=when,
        client=client,
    )
    with engine.begin() as conn:
        upsert_postings(conn, source, [p], when)
        pid = conn.execute(select(postings.c.id).where(postings.c.external_id == ext)).scalar_one()
        write_score(conn, pid, 30.0, ["ghost"] if ghost >= 0.6 else [], when)
        conn.execute(update(scores).where(scores.c.posting_id == pid).values(ghost_probability=ghost))


def seed_report(engine: Engine) -> None:
    for i, ghost in enumerate((0.7, 0.75, 0.8), start=1):  # three clients the source does not name
        add(
            engine,
            "anon",
            f"a{i}",
            f"anon job {i}",
            ghost,
            Client(key=f"k{i}", jobs_posted=30, jobs_with_hires=0),
            hours=10 * i,
        )
    add(engine, "nocli", "n1", "Mild nocli posting", 0.3, None, hours=5)
    add(engine, "nocli", "n2", "Worst nocli posting", 0.85, None, hours=50)
    add(engine, "nocli", "n3", "Middling nocli posting", 0.5, None, hours=24 * 40)
    with engine.begin() as conn:
        run = conn.execute(insert(runs).values(started_at=NOW, status="ok", trigger="cli").returning(runs.c.id))
        run_id = run.scalar_one()
        for name, n in (("anon", 1), ("nocli", 2)):  # small counts: an automatic axis would show 0.5 steps
            sid = ensure_source(conn, name, "rss", f"https://{name}.test/feed")
            conn.execute(update(sources).where(sources.c.id == sid).values(last_outcome="ok"))
            for d in range(n):
                conn.execute(
                    insert(fetches).values(
                        run_id=run_id, source_id=sid, outcome="ok", started_at=NOW - timedelta(days=d)
                    )
                )


def section(html: str, heading: str) -> str:
    return html.split(f"<h2>{heading}</h2>", 1)[1].split("</section>", 1)[0]


def test_unnamed_clients_each_get_their_own_bar_and_row(sqlite_engine: Engine) -> None:
    seed_report(sqlite_engine)
    ghost = section(build_report(sqlite_engine, days=30), "Clients with the strongest ghost signals")
    for key in ("k1", "k2", "k3"):
        label = f"unnamed client {key} (anon)"
        assert f"<td>{label}</td>" in ghost
        assert label in ghost.split("<table", 1)[0]  # a tick label of the plot
    assert ghost.count("<td>unnamed client") == 3


def test_a_source_without_client_data_shows_its_worst_posting(sqlite_engine: Engine) -> None:
    seed_report(sqlite_engine)
    ghost = section(build_report(sqlite_engine, days=30), "Clients with the strongest ghost signals")
    assert "Worst nocli posting" in ghost
    assert "85%" in ghost
    assert "Mild nocli posting" not in ghost  # one per source: its worst


def test_weekly_points_say_they_are_weeks(sqlite_engine: Engine) -> None:
    seed_report(sqlite_engine)
    weekly = section(build_report(sqlite_engine, days=90), "Flag rates by source over time")
    assert "week starting Monday (UTC)" in weekly
    assert "dated by the Monday that starts its week" in weekly
    daily = section(build_report(sqlite_engine, days=30), "Flag rates by source over time")
    assert "day (UTC)" in daily
    assert "week starting" not in daily


def test_source_health_counts_whole_fetches(sqlite_engine: Engine) -> None:
    seed_report(sqlite_engine)
    health = section(build_report(sqlite_engine, days=30), "Source health")
    svg = health.split("<table", 1)[0]
    assert "fetches in the period" in svg
    ticks = re.findall(r">\s*([0-9]+(?:\.[0-9]+)?)\s*</text>", svg)
    assert ticks, "no tick labels found"
    assert all("." not in t for t in ticks), ticks
