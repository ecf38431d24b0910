"""Shared fixtures: stores on both backends (SQLite file, real PostgreSQL), a loopback server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from jobsift.store.db import open_store
from tests.support.httpserver import ScriptedServer
from tests.support.pgserver import PgServer, create_database

SHARED = Path(os.environ.get("JOBSIFT_SHARED", Path(__file__).resolve().parents[2] / "shared"))
SAMPLES = Path(os.environ.get("JOBSIFT_SAMPLES", SHARED / "samples"))
DATA = SHARED / "data"


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """A PostgreSQL server for the whole session (started here, stopped at the end)."""
    if os.environ.get("JOBSIFT_TEST_PG_URL"):
        yield os.environ["JOBSIFT_TEST_PG_URL"]
        return
    server = PgServer()
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_admin_url: str) -> str:
    """A fresh, empty PostgreSQL database."""
    return create_database(pg_admin_url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'jobsift.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on both backends."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jobsift.db'}"
    return create_database(request.getfixturevalue("pg_admin_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = open_store(db_url)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    eng = open_store(sqlite_url)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer()
    try:
        yield srv
    finally:
        srv.close()
