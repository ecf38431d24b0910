"""``db prune`` / ``db stats``, leases and job claims on both backends; a simulated year stays bounded."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select, text, update

from jobsift.config import SourceConfig
from jobsift.scheduling import leases
from jobsift.scheduling.claims import claim_job, finish_job
from jobsift.store.db import open_store
from jobsift.store.maintenance import database_bytes, prune, table_stats
from jobsift.store.runs import FetchRecord, finish_run, record_fetch, start_run
from jobsift.store.schema import (
    client_snapshots,
    clients,
    fetches,
    labels,
    postings,
    runs,
    scores,
    sources,
)
from jobsift.store.sources import sync_sources

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SOURCES = [SourceConfig(name=f"s{i}", format="rss", url=f"http://127.0.0.1:9/f/{i}") for i in range(3)]


def count(engine: Engine, table: object, where: object = None) -> int:
    q = select(func.count()).select_from(table)  # type: ignore[arg-type]
    if where is not None:
        q = q.where(where)  # type: ignore[arg-type]
    with engine.connect() as conn:
        return int(conn.execute(q).scalar_one())


def posting(ext: str, seen: datetime, *, source: str = "s0", client_id: int | None = None) -> dict[str, object]:
    return {
        "source": source,
        "external_id": ext,
        "url": f"https://jobs.example/{ext}",
        "title": f"Job {ext}",
        "first_seen_at": seen,
        "last_seen_at": seen,
        "seen_count": 1,
        "content_hash": ext,
        "raw": {"payload": "x" * 200},
        "needs_scoring": False,
        "updated_at": seen,
        "client_id": client_id,
        "description_text": "Build a data pipeline.",
    }


def score(pid: int, at: datetime, latest: bool) -> dict[str, object]:
    return {
        "posting_id": pid,
        "scored_at": at,
        "is_latest": latest,
        "model_version": "rules",
        "quality": 50.0,
        "flags": [],
        "flags_text": "",
        "reasons": [],
        "features": {},
    }


def test_prune_drops_old_logs_and_payloads_and_keeps_facts_scores_and_labels(engine: Engine) -> None:
    now = T0 + timedelta(days=100)
    old, recent = now - timedelta(days=40), now - timedelta(days=2)
    with engine.begin() as conn:
        sync_sources(conn, SOURCES)
        cid = conn.execute(
            insert(clients)
            .values(source="s0", client_key="c", first_seen_at=old, updated_at=old)
            .returning(clients.c.id)
        ).scalar_one()
        old_id, new_id = (
            conn.execute(insert(postings).values(**posting(e, t, client_id=cid)).returning(postings.c.id)).scalar_one()
            for e, t in (("old", old), ("new", recent))
        )
        for pid in (old_id, new_id):
            conn.execute(insert(scores), [score(pid, old - timedelta(days=1), False), score(pid, old, True)])
        conn.execute(insert(labels).values(posting_id=old_id, label="ghost", origin="user", created_at=old))
        conn.execute(
            insert(client_snapshots), [{"client_id": cid, "observed_at": old - timedelta(days=i)} for i in range(3)]
        )
        for when in (old, recent):
            run_id = start_run(conn, when, "worker")
            finish_run(conn, run_id, when, "ok", {})
            record_fetch(conn, run_id, FetchRecord(source_id=1, started_at=when, finished_at=when, outcome="ok"))
    report = prune(engine, days=30, now=now)
    assert (report.raw_cleared, report.fetches, report.runs, report.client_snapshots) == (1, 1, 1, 2)
    assert count(engine, postings) == 2  # facts stay
    assert count(engine, postings, postings.c.raw.is_(None)) == 1
    assert count(engine, scores) == 4  # history kept unless score_history_days is set
    assert count(engine, labels) == 1
    assert count(engine, client_snapshots) == 1  # the newest per client stays
    assert (count(engine, fetches), count(engine, runs)) == (1, 1)
    assert prune(engine, days=30, now=now).as_dict() == dict.fromkeys(report.as_dict(), 0)  # idempotent
    assert prune(engine, days=30, now=now, score_history_days=30).scores == 2
    assert count(engine, scores, scores.c.is_latest.is_(True)) == 2


def test_stats_report_rows_size_and_growth_per_table(engine: Engine) -> None:
    now = T0 + timedelta(days=10)
    with engine.begin() as conn:
        conn.execute(insert(postings), [posting(f"p{i}", now - timedelta(days=i % 14, hours=12)) for i in range(28)])
    stats = {s.table: s for s in table_stats(engine, days=7, now=now)}
    assert stats["postings"].rows == 28
    assert stats["postings"].rows_per_day == pytest.approx(14 / 7)  # 14 of them in the last 7 days
    assert stats["postings"].bytes is not None
    assert stats["postings"].bytes > 28 * 200
    assert stats["fetches"].rows == 0
    assert database_bytes(engine) > 0


def test_leases_claim_only_due_free_enabled_sources_and_guard_by_owner(engine: Engine) -> None:
    now = T0
    names = [s.name for s in SOURCES]
    with engine.begin() as conn:
        sync_sources(conn, SOURCES)
        conn.execute(update(sources).where(sources.c.name == "s1").values(next_due_at=now + timedelta(minutes=5)))
    assert leases.claim_due(engine, "a", names, limit=10, lease_seconds=60, now=now) == ["s0", "s2"]
    assert leases.claim_due(engine, "b", names, limit=10, lease_seconds=60, now=now) == []
    assert leases.renew(engine, "b", ["s0"], lease_seconds=60, now=now) == 0  # not b's
    assert leases.renew(engine, "a", ["s0", "s2"], lease_seconds=60, now=now) == 2
    # a dies: after expiry b takes over, and a late release by a changes nothing
    later = now + timedelta(seconds=61)
    assert leases.claim_due(engine, "b", names, limit=1, lease_seconds=60, now=later) == ["s0"]
    assert leases.release(engine, "a", ["s0"], next_due_at=later + timedelta(hours=1)) == 0
    assert leases.release(engine, "b", ["s0"], next_due_at=later + timedelta(minutes=15)) == 1
    with engine.connect() as conn:
        row = conn.execute(select(sources).where(sources.c.name == "s0")).one()
    assert (row.lease_owner, row.next_due_at) == (None, later + timedelta(minutes=15))


def test_daily_job_claimed_once_per_period_and_failed_one_retried_later(engine: Engine) -> None:
    now = T0
    assert claim_job(engine, "digest", "2026-01-01", "a", now=now, lease_seconds=600)
    assert not claim_job(engine, "digest", "2026-01-01", "b", now=now, lease_seconds=600)
    assert claim_job(engine, "digest", "2026-01-02", "b", now=now, lease_seconds=600)  # another period
    finish_job(engine, "digest", "2026-01-01", "a", now=now, error="smtp down", retry_after=60)
    assert not claim_job(engine, "digest", "2026-01-01", "b", now=now + timedelta(seconds=30), lease_seconds=600)
    assert claim_job(engine, "digest", "2026-01-01", "b", now=now + timedelta(seconds=61), lease_seconds=600)
    finish_job(engine, "digest", "2026-01-01", "b", now=now)
    assert not claim_job(engine, "digest", "2026-01-01", "a", now=now + timedelta(days=1), lease_seconds=600)


def test_digest_sender_lookup_is_used_when_the_publish_module_provides_it(
    monkeypatch: pytest.MonkeyPatch, sqlite_engine: Engine
) -> None:
    import jobsift.scheduling.periodic as periodic
    from jobsift.config import Config, DigestConfig

    calls: list[tuple[str, object]] = []
    monkeypatch.setattr(
        periodic, "find_digest_sender", lambda: lambda engine, cfg, period: calls.append(("sent", period)) or "1 sent"
    )
    cfg = Config(digest=DigestConfig(recipients=["me@example.org"], time="07:30"))
    (job,) = [j for j in periodic.daily_jobs(cfg) if j.name == "digest"]
    before = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
    assert not periodic.run_if_due(sqlite_engine, cfg, job, "w1", before)  # not yet 07:30
    after = before + timedelta(hours=1)
    assert periodic.run_if_due(sqlite_engine, cfg, job, "w1", after)
    assert not periodic.run_if_due(sqlite_engine, cfg, job, "w2", after)  # done for the period
    assert calls == [("sent", "2026-03-01")]


# --- a simulated year --------------------------------------------------------------------------

N_SOURCES, CRAWLS_PER_DAY, NEW_PER_SOURCE_DAY, RETENTION = 20, 96, 2, 30
PRUNE_EVERY_DAYS = 7


def simulate_week(engine: Engine, start: datetime, clients_ids: list[int]) -> None:
    """One week of the daemon (its worst case: a run row per source crawl), new postings, scores."""
    with engine.begin() as conn:
        last = conn.execute(select(func.coalesce(func.max(runs.c.id), 0))).scalar_one()
        conn.execute(
            text(
                "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < :n - 1) "
                'INSERT INTO runs (started_at, finished_at, status, "trigger", worker, stats) '
                "SELECT datetime(:t0, '+' || (i / :ns * 15) || ' minutes'), "
                "datetime(:t0, '+' || (i / :ns * 15 + 1) || ' minutes'), "
                "'ok', 'schedule', 'sim:1', '{\"source/ok\": 1, \"store/new\": 0}' FROM k"
            ),
            {"n": CRAWLS_PER_DAY * 7 * N_SOURCES, "ns": N_SOURCES, "t0": start.strftime("%Y-%m-%d %H:%M:%S")},
        )
        first_source = conn.execute(select(func.min(sources.c.id))).scalar_one()
        conn.execute(
            text(
                "INSERT INTO fetches (run_id, source_id, started_at, finished_at, url, status_code, outcome, bytes, "
                "items, new_items, duration_ms, stats) SELECT r.id, s.id, r.started_at, r.finished_at, s.url, 200, "
                "'ok', 48000, 50, 0, 850, '{\"fetch/requests\": 1}' FROM runs r JOIN sources s "
                "ON s.id = :first + (r.id % :ns) WHERE r.id > :last"
            ),
            {"last": last, "first": first_source, "ns": N_SOURCES},
        )
        rows = []
        for day in range(7):
            when = start + timedelta(days=day)
            for s in range(N_SOURCES):
                for j in range(NEW_PER_SOURCE_DAY):
                    ext = f"{when:%Y%m%d}-{j}"
                    row = posting(ext, when, source=f"s{s}", client_id=clients_ids[(s + j) % len(clients_ids)])
                    row["raw"] = {"title": f"Job {ext}", "description": "Lorem ipsum dolor " * 60}
                    row["description_text"] = "Lorem ipsum dolor sit amet " * 20
                    row["last_seen_at"] = when + timedelta(days=10)  # listed for ten days
                    rows.append(row)
        ids = [r[0] for r in conn.execute(insert(postings).returning(postings.c.id), rows)]
        conn.execute(insert(scores), [score(i, start, True) for i in ids])
        conn.execute(
            insert(client_snapshots),
            [
                {"client_id": c, "observed_at": start + timedelta(days=d), "total_spent": 1000.0 + d}
                for c in clients_ids
                for d in range(7)
            ],
        )


def test_a_simulated_year_of_crawls_stays_within_the_stated_bound(tmp_path: Path) -> None:
    """20 sources x 96 crawls a day x 365 days, pruned weekly with 30 days' retention (docs/running.md)."""
    engine = open_store(f"sqlite:///{tmp_path / 'year.db'}")
    try:
        with engine.begin() as conn:
            sync_sources(
                conn,
                [SourceConfig(name=f"s{i}", format="rss", url=f"https://feeds.example/{i}") for i in range(N_SOURCES)],
            )
            client_ids = [
                conn.execute(
                    insert(clients)
                    .values(source="s0", client_key=f"c{i}", first_seen_at=T0, updated_at=T0)
                    .returning(clients.c.id)
                ).scalar_one()
                for i in range(50)
            ]
        weeks = 365 // 7 + 1
        for week in range(weeks):
            start = T0 + timedelta(days=7 * week)
            simulate_week(engine, start, client_ids)
            # The scheduled prune also vacuums once a week; SQLite only reuses the space freed
            # inside postings' pages after that. Here the last one stands for them all (speed).
            prune(engine, days=RETENTION, now=start + timedelta(days=7), vacuum=week == weeks - 1)
        total_fetches = N_SOURCES * CRAWLS_PER_DAY * 7 * weeks
        kept_days = RETENTION + PRUNE_EVERY_DAYS
        assert count(engine, fetches) <= N_SOURCES * CRAWLS_PER_DAY * kept_days < total_fetches / 9
        assert count(engine, runs) <= N_SOURCES * CRAWLS_PER_DAY * kept_days
        assert count(engine, postings) == N_SOURCES * NEW_PER_SOURCE_DAY * 7 * weeks  # facts are all kept
        raw_kept = count(engine, postings, postings.c.raw.is_not(None))
        assert raw_kept <= N_SOURCES * NEW_PER_SOURCE_DAY * (kept_days + 10)
        assert count(engine, client_snapshots) <= 50 * kept_days
        stats = {s.table: s for s in table_stats(engine, now=T0 + timedelta(days=7 * weeks))}
        n_postings = stats["postings"].rows
        # The bound stated in docs/running.md: per source, the last retention window of fetch
        # rows (~200 B each with indexes); per posting ever stored, its facts and latest score
        # (~1.5 KB here); raw payloads only for postings seen within the window.
        fetch_bound = N_SOURCES * CRAWLS_PER_DAY * kept_days * 200
        posting_bound = n_postings * 1536 + raw_kept * 2048
        bound = 2 * fetch_bound + posting_bound + 50 * kept_days * 200 + 1_000_000  # fetches + runs
        used = sum(s.bytes or 0 for s in stats.values())
        assert stats["fetches"].bytes is not None
        assert stats["fetches"].bytes <= fetch_bound
        assert stats["runs"].bytes is not None
        assert stats["runs"].bytes <= fetch_bound
        assert used <= bound, json.dumps({k: v.bytes for k, v in stats.items()})
        # Freed pages are reused: the file is the data plus at most one prune's worth of free pages.
        assert database_bytes(engine) <= bound + N_SOURCES * CRAWLS_PER_DAY * PRUNE_EVERY_DAYS * 250
    finally:
        engine.dispose()
