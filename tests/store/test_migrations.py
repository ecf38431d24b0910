"""Alembic migrations build exactly the schema the code declares, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from jobsift.errors import StoreError
from jobsift.store.db import alembic_config, current_revision, ensure_schema, head_revision, make_engine, upgrade
from jobsift.store.schema import metadata

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def test_migrated_schema_matches_the_declared_tables(db_url: str) -> None:
    engine = make_engine(db_url)  # every migration from the empty store (open_store would create it)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), metadata)
        assert diff == []
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


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


def _revisions() -> list[str]:
    """Every revision, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(None))  # type: ignore[arg-type]
    return [s.revision for s in reversed(list(script.walk_revisions()))]


def test_downgrade_through_every_revision_and_up_again(db_url: str) -> None:
    """``alembic downgrade`` one step at a time to the empty store, keeping the crawl's rows until
    the first revision goes; then up again to the declared schema."""
    from alembic import command

    from jobsift.model import Posting
    from jobsift.store.postings import upsert_postings

    revisions = _revisions()
    eng = make_engine(db_url)
    try:
        upgrade(eng)
        with eng.begin() as conn:
            upsert_postings(conn, "s", [Posting("s", "a", "https://x.test/a", "Logo design")], T0)
        for expected in reversed(revisions[:-1]):
            command.downgrade(alembic_config(eng), "-1")
            assert current_revision(eng) == expected
            with eng.connect() as conn:  # the posting and its sighting survive every step down
                counts = conn.execute(text("SELECT (SELECT count(*) FROM postings), (SELECT count(*) FROM sightings)"))
                assert tuple(counts.one()) == (1, 1)
        command.downgrade(alembic_config(eng), "base")
        assert current_revision(eng) is None
        assert not {"postings", "sightings", "scores"} & set(inspect(eng).get_table_names())
        assert upgrade(eng) == head_revision() == revisions[-1]
        with eng.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), metadata)
        assert diff == []
    finally:
        eng.dispose()
