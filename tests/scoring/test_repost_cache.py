"""The repost index a daemon or worker keeps between score runs: new postings added, edits re-checked."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import Engine, update

from jobsift.model import Client
from jobsift.scoring import reposts
from jobsift.scoring.repost_store import RepostCache, repost_details
from jobsift.scoring.score import score_pending
from jobsift.store.schema import postings
from tests.scoring.factory import LONG_TEXT, T0, config, latest, posting, store

OTHER_TEXT = (
    "Looking for an accountant to reconcile two years of invoices for a small bakery, prepare the "
    "quarterly VAT returns and explain the results in one call. Spreadsheet access from day one."
)


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_extended_index_finds_what_a_fresh_build_finds() -> None:
    rng = np.random.default_rng(3)
    base = rng.integers(0, 2**63, size=400, dtype=np.int64).astype(np.uint64)
    near = base ^ np.uint64(0b1011)  # 3 bits away from each base value
    first = reposts.RepostIndex.from_arrays(np.arange(400), base)
    grown = first.extended(np.arange(400, 800), near)
    fresh = reposts.RepostIndex.from_arrays(np.arange(800), np.concatenate([base, near]))
    values = np.concatenate([base, near])

    def resolve(ids: list[int]) -> dict[int, reposts.Entry]:
        return {i: reposts.Entry(i, f"{int(values[i]):016x}", "s") for i in ids}

    queries = [f"{int(v):016x}" for v in values[::7]]
    found_grown = [sorted(e.id for e in hits) for hits in grown.near_many(queries, resolve=resolve)]
    found_fresh = [sorted(e.id for e in hits) for hits in fresh.near_many(queries, resolve=resolve)]
    assert found_grown == found_fresh
    assert all(len(ids) >= 2 for ids in found_grown)  # each value and its near copy
    assert first.size == 400  # the original is unchanged
    assert [len(h) for h in first.near_many(queries[:5], resolve=resolve)] == [1] * 5


def test_cache_adds_new_postings_without_reading_everything_again(engine: Engine) -> None:
    client = Client(key="c1", name="Repeat Poster", payment_verified=True)
    cache = RepostCache()
    cfg = config(_url(engine))
    store(engine, [posting("first", source="upwork", client=client)], when=T0)
    score_pending(engine, cfg, now=T0, reposts=cache)
    later = T0 + timedelta(days=2)
    store(
        engine,
        [posting("again", source="upwork", client=client), posting("elsewhere", source="freelancer")],
        when=later,
    )
    score_pending(engine, cfg, now=later, reposts=cache)
    assert (cache.full_reads, cache.added) == (1, 2)
    rows = latest(engine)
    assert rows["again"]["features"]["reposts"] == 2
    assert rows["elsewhere"]["features"]["reposts"] == 2
    # The same answer as a store read in full.
    score_pending(engine, cfg, rescore_all=True, now=later)
    assert {k: v["features"]["reposts"] for k, v in latest(engine).items()} == {"first": 2, "again": 2, "elsewhere": 2}


def test_a_posting_edited_since_the_cache_was_read_is_judged_by_its_current_text(engine: Engine) -> None:
    cache = RepostCache()
    cfg = config(_url(engine))
    store(engine, [posting("edited", source="upwork"), posting("twin", source="freelancer")], when=T0)
    score_pending(engine, cfg, now=T0, reposts=cache)
    assert latest(engine)["twin"]["features"]["reposts"] == 1
    # "edited" changes its text completely (the store rewrites its fingerprint); the cache still
    # files it under the old one, but the current fingerprint decides.
    store(
        engine,
        [posting("edited", source="upwork", title="Bookkeeping for a bakery", description=OTHER_TEXT)],
        when=T0 + timedelta(hours=1),
    )
    with engine.begin() as conn:
        conn.execute(update(postings).values(needs_scoring=True))
    score_pending(engine, cfg, now=T0 + timedelta(hours=1), reposts=cache)
    assert cache.full_reads == 1
    rows = latest(engine)
    assert rows["twin"]["features"]["reposts"] == 0
    assert rows["edited"]["features"]["reposts"] == 0
    with engine.connect() as conn:
        details = repost_details(conn, [1, 2, 999])
    assert sorted(details) == [1, 2]  # a missing posting has no details


def test_cache_reads_everything_again_when_stale(engine: Engine) -> None:
    cache = RepostCache(refresh_seconds=0.0)
    cfg = config(_url(engine))
    store(engine, [posting("a", description=LONG_TEXT)], when=T0)
    score_pending(engine, cfg, now=T0, reposts=cache)
    store(engine, [posting("b", source="other")], when=T0)
    score_pending(engine, cfg, now=T0, reposts=cache)
    assert (cache.full_reads, cache.added) == (2, 0)
    assert latest(engine)["b"]["features"]["reposts"] == 1


def test_unique_pairs_are_numpys_unique_rows() -> None:
    import numpy as np

    from jobsift.scoring.reposts import _unique_pairs

    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 6, 500), rng.integers(0, 9, 500)
    assert np.array_equal(_unique_pairs(a, b), np.unique(np.stack([a, b], axis=1), axis=0))
    assert _unique_pairs(a[:0], b[:0]).shape == (0, 2)
