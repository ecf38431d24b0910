"""Upserts on both backends: idempotent, first_seen kept, sightings, reappearance, clients."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from jobsift.model import Budget, Client, Posting
from jobsift.store.postings import mark_gone, upsert_postings
from jobsift.store.schema import client_snapshots, clients, postings, sightings

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def make(ext: str, title: str = "Python developer for a data pipeline", **kw: object) -> Posting:
    return Posting(source="s", external_id=ext, url=f"https://x.test/{ext}", title=title, **kw)  # type: ignore[arg-type]


def count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_r21_same_posting_twice_in_a_feed_and_again_next_run_is_one_row(engine: Engine) -> None:
    with engine.begin() as conn:
        stats = upsert_postings(conn, "s", [make("a"), make("a"), make("b")], T0)
    assert (stats.new, stats.duplicates_in_batch) == (2, 1)
    with engine.begin() as conn:
        stats = upsert_postings(conn, "s", [make("a"), make("b")], T0 + timedelta(hours=1))
    assert (stats.new, stats.unchanged) == (0, 2)
    assert count(engine, postings) == 2
    with engine.connect() as conn:
        row = conn.execute(select(postings).where(postings.c.external_id == "a")).one()
    assert row.first_seen_at == T0
    assert row.last_seen_at == T0 + timedelta(hours=1)
    assert row.seen_count == 2
    assert count(engine, sightings) == 2  # one open stretch each, not a row per crawl


def test_r21_record_without_key_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        stats = upsert_postings(conn, "s", [make(""), make("ok"), make("t", title=" ")], T0)
    assert (stats.new, stats.refused) == (1, 2)
    assert count(engine, postings) == 1


def test_changed_facts_are_updated_and_marked_for_rescoring(engine: Engine) -> None:
    with engine.begin() as conn:
        upsert_postings(conn, "s", [make("a")], T0)
        conn.execute(postings.update().values(needs_scoring=False))
    changed = make(
        "a",
        budget=Budget(
            kind="fixed", min=50.0, max=50.0, currency="USD", min_usd=50.0, max_usd=50.0, provenance="field", raw="$50"
        ),
    )
    with engine.begin() as conn:
        stats = upsert_postings(conn, "s", [changed], T0 + timedelta(hours=1))
    assert stats.updated == 1
    with engine.connect() as conn:
        row = conn.execute(select(postings)).one()
    assert (row.budget_max_usd, row.budget_raw, row.needs_scoring) == (50.0, "$50", True)
    assert row.first_seen_at == T0


def test_gone_then_reappearing_opens_a_new_sighting(engine: Engine) -> None:
    with engine.begin() as conn:
        upsert_postings(conn, "s", [make("a"), make("b")], T0)
        assert mark_gone(conn, "s", ["b"], T0 + timedelta(hours=1)) == 1
    with engine.connect() as conn:
        gone_at = conn.execute(select(postings.c.gone_at).where(postings.c.external_id == "a")).scalar()
    assert gone_at == T0 + timedelta(hours=1)
    with engine.begin() as conn:
        stats = upsert_postings(conn, "s", [make("a")], T0 + timedelta(days=3))
    assert stats.reappeared == 1
    with engine.connect() as conn:
        rows = conn.execute(
            select(sightings)
            .join(postings, postings.c.id == sightings.c.posting_id)
            .where(postings.c.external_id == "a")
            .order_by(sightings.c.id)
        ).all()
        gone = conn.execute(select(postings.c.gone_at).where(postings.c.external_id == "a")).scalar()
    assert [(r.first_seen_at, r.gone_at) for r in rows] == [
        (T0, T0 + timedelta(hours=1)),
        (T0 + timedelta(days=3), None),
    ]
    assert gone is None


def test_client_unknown_stays_none_and_changes_snapshot(engine: Engine) -> None:
    p = make("a", client=Client(key="c1", name="Acme", payment_verified=None, total_spent=1000.0))
    with engine.begin() as conn:
        upsert_postings(conn, "s", [p], T0)
        conn.execute(postings.update().values(needs_scoring=False))
    with engine.connect() as conn:
        c = conn.execute(select(clients)).one()
    assert c.payment_verified is None
    assert c.total_spent == 1000.0
    p2 = make("a", client=Client(key="c1", name="Acme", payment_verified=False, total_spent=1000.0))
    with engine.begin() as conn:
        upsert_postings(conn, "s", [p2], T0 + timedelta(hours=1))
    with engine.connect() as conn:
        c = conn.execute(select(clients)).one()
        needs = conn.execute(select(postings.c.needs_scoring)).scalar()
    assert c.payment_verified is False
    assert needs is True
    assert count(engine, client_snapshots) == 2
    # Same stats again: no new snapshot.
    with engine.begin() as conn:
        upsert_postings(conn, "s", [p2], T0 + timedelta(hours=2))
    assert count(engine, client_snapshots) == 2


def test_clients_of_a_batch_are_looked_up_in_one_query(engine: Engine) -> None:
    from sqlalchemy import event

    acme = Client(key="c1", name="Acme", total_spent=1000.0, jobs_posted=4)
    other = Client(key="c2", name="Other", total_spent=50.0)
    batch = [make(f"a{i}", client=acme) for i in range(5)] + [make("b", client=other), make("c")]
    with engine.begin() as conn:
        upsert_postings(conn, "s", batch, T0)
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        with engine.begin() as conn:
            upsert_postings(conn, "s", batch, T0 + timedelta(hours=1))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    client_reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM clients" in s]
    assert len(client_reads) == 1  # not one per posting
    assert not [s for s in statements if "INSERT INTO client" in s]  # unchanged stats write nothing
    with engine.connect() as conn:
        owners = dict(conn.execute(select(postings.c.external_id, postings.c.client_id)).all())
    assert len({owners[f"a{i}"] for i in range(5)}) == 1
    assert owners["b"] not in (None, owners["a0"])
    assert owners["c"] is None
    # One client with two different stats in one batch: both snapshots, the last stats kept.
    richer = Client(key="c1", name="Acme", total_spent=2000.0, jobs_posted=5)
    with engine.begin() as conn:
        upsert_postings(conn, "s", [make("a0", client=richer), make("a1", client=acme)], T0 + timedelta(hours=2))
    with engine.connect() as conn:
        spent = conn.execute(select(clients.c.total_spent).where(clients.c.client_key == "c1")).scalar_one()
    assert spent == 1000.0
    assert count(engine, client_snapshots) == 2 + 2


def test_stats_hash_is_the_hash_of_the_stored_stats(engine: Engine) -> None:
    """A source that stops giving a known stat changes nothing: no snapshot, no rescore, the hash still fits."""
    from jobsift.store.clients import CLIENT_STATS, stats_hash

    full = Client(key="c1", name="Acme", payment_verified=True, total_spent=1000.0, jobs_posted=3)
    with engine.begin() as conn:
        upsert_postings(conn, "s", [make("a", client=full)], T0)
        conn.execute(postings.update().values(needs_scoring=False))
        upsert_postings(conn, "s", [make("a", client=Client(key="c1", name="Acme", total_spent=1000.0))], T0)
    with engine.connect() as conn:
        c = conn.execute(select(clients)).one()
        needs = conn.execute(select(postings.c.needs_scoring)).scalar()
    assert (c.payment_verified, c.jobs_posted) == (True, 3)  # unknown never erases known
    assert c.stats_hash == stats_hash(Client(**{k: getattr(c, k) for k in CLIENT_STATS}))
    assert count(engine, client_snapshots) == 1
    assert needs is False
