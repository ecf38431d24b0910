"""Workers whose clocks disagree: leases follow the database server's clock, not the machine's."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from jobsift.config import SourceConfig
from jobsift.scheduling import leases
from jobsift.scheduling.clock import DatabaseClock
from jobsift.store.db import make_engine, open_store
from jobsift.store.sources import sync_sources

SOURCES = [SourceConfig(name="s0", format="rss", url="http://127.0.0.1:9/feed")]
SKEW = timedelta(minutes=10)


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    eng = open_store(pg_url)
    try:
        yield eng
    finally:
        eng.dispose()


def fast() -> datetime:
    """A machine whose clock runs ten minutes ahead."""
    return datetime.now(UTC) + SKEW


def test_offset_is_measured_against_the_postgresql_server(pg_engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    right = DatabaseClock(pg_engine)
    assert abs(right.measure()) < timedelta(seconds=2)
    skewed = DatabaseClock(pg_engine, local=fast)
    with caplog.at_level(logging.WARNING, logger="jobsift.scheduling"):
        offset = skewed.measure()
    assert abs(offset + SKEW) < timedelta(seconds=2)
    assert abs(skewed() - right()) < timedelta(seconds=2)  # both now read the server's time
    assert "clock is +600" in caplog.text


def test_a_fast_clock_does_not_take_over_a_live_lease(pg_engine: Engine) -> None:
    with pg_engine.begin() as conn:
        sync_sources(conn, SOURCES)
    a, b = DatabaseClock(pg_engine), DatabaseClock(pg_engine, local=fast)
    assert leases.claim_due(pg_engine, "a", ["s0"], limit=1, lease_seconds=300, now=a()) == ["s0"]
    # With its own clock, b would think a's five-minute lease ran out five minutes ago.
    assert leases.claim_due(pg_engine, "b", ["s0"], limit=1, lease_seconds=300, now=fast()) == ["s0"]
    leases.release(pg_engine, "b", ["s0"])
    assert leases.claim_due(pg_engine, "a", ["s0"], limit=1, lease_seconds=300, now=a()) == ["s0"]
    # Corrected to the server's clock, it sees the lease as held.
    assert leases.claim_due(pg_engine, "b", ["s0"], limit=1, lease_seconds=300, now=b()) == []


def test_sqlite_is_one_machine(tmp_path: Path) -> None:
    eng = open_store(f"sqlite:///{tmp_path / 'j.db'}")
    try:
        clock = DatabaseClock(eng, local=fast)
        assert clock.measure() == timedelta(0)
        assert abs(clock() - fast()) < timedelta(seconds=2)
    finally:
        eng.dispose()


def test_database_away_keeps_the_last_offset(caplog: pytest.LogCaptureFixture) -> None:
    eng = make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none", connect_args={"connect_timeout": 2})
    try:
        clock = DatabaseClock(eng, local=fast)
        clock.offset = -SKEW  # measured earlier, while the server was up
        with caplog.at_level(logging.WARNING, logger="jobsift.scheduling"):
            now = clock()
        assert abs(now - datetime.now(UTC)) < timedelta(seconds=2)
        assert "cannot read the database's clock" in caplog.text
    finally:
        eng.dispose()
