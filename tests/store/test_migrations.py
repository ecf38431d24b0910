"""Alembic migrations build exactly the schema the code declares, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from jobsift.errors import StoreError
from jobsift.store.db import current_revision, ensure_schema, head_revision, make_engine, upgrade
from jobsift.store.schema import metadata


def test_migrated_schema_matches_the_declared_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), metadata)
    assert diff == []
    assert current_revision(engine) == head_revision()


def test_jobs_view_exists_and_joins_latest_score(engine: Engine) -> None:
    assert "jobs" in inspect(engine).get_view_names()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM jobs")).scalar() == 0


def test_upgrade_is_idempotent(db_url: str) -> None:
    eng = make_engine(db_url)
    try:
        assert upgrade(eng) == upgrade(eng) == head_revision()
    finally:
        eng.dispose()


def test_out_of_date_store_without_auto_upgrade_says_what_to_run(sqlite_url: str) -> None:
    eng = make_engine(sqlite_url)
    try:
        with pytest.raises(StoreError, match="jobsift db upgrade"):
            ensure_schema(eng, auto_upgrade=False)
    finally:
        eng.dispose()


def test_sqlite_pragmas(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
