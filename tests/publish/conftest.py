"""Fixtures for publishing tests: one seeded SQLite store and one live web server per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from jobsift.config import load_config
from jobsift.publish.server import ThreadedServer
from jobsift.publish.web import create_app
from jobsift.store.db import open_store
from tests.publish.data import seed


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, dict[str, int], Path]]:
    path = tmp_path_factory.mktemp("pub") / "jobsift.db"
    engine = open_store(f"sqlite:///{path}")
    ids = seed(engine)
    try:
        yield engine, ids, path
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def live(seeded: tuple[Engine, dict[str, int], Path]) -> Iterator[str]:
    """The web app over the seeded store, served by uvicorn in a thread on a free loopback port."""
    engine = seeded[0]
    app = create_app(engine, load_config(None, env={}))
    with ThreadedServer(app) as url:
        yield url
