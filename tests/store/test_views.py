"""One current copy of the analyst views: a store built by every migration and a store built by
``schema.create_all`` have the same views, on both backends."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, inspect

from jobsift.store.db import MIGRATIONS, alembic_config, make_engine, open_store, upgrade
from jobsift.store.schema import create_all
from jobsift.store.views import VIEWS


def _views(engine: Engine) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Each view's stored definition and its columns (name, type)."""
    insp = inspect(engine)
    out = {}
    for name in sorted(insp.get_view_names()):
        definition = " ".join(str(insp.get_view_definition(name)).split())
        columns = [(c["name"], str(c["type"])) for c in insp.get_columns(name)]
        out[name] = (definition, columns)
    return out


def test_migrated_and_created_stores_have_the_same_views(new_url: Callable[[], str], engines: list[Engine]) -> None:
    migrated = make_engine(new_url())
    created = make_engine(new_url())
    engines += [migrated, created]
    upgrade(migrated)
    with created.begin() as conn:
        create_all(conn)
    views = _views(migrated)
    assert sorted(views) == sorted(VIEWS)
    assert "outcome" in [name for name, _ in views["jobs"][1]]
    assert views == _views(created)


def test_downgrade_below_the_outcomes_migration_restores_the_frozen_view(tmp_path: Path) -> None:
    eng = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        command.downgrade(alembic_config(eng), "0005")
        columns = [c["name"] for c in inspect(eng).get_columns("jobs")]
        assert "client_country" in columns
        assert "outcome" not in columns
        command.upgrade(alembic_config(eng), "head")
        assert "outcome" in [c["name"] for c in inspect(eng).get_columns("jobs")]
    finally:
        eng.dispose()


def test_only_the_newest_migration_that_defines_a_view_reads_the_current_text() -> None:
    """Older ones keep a frozen copy: were two to read views.py, an old step would run the new text."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted((MIGRATIONS / "versions").glob("*.py"))}
    defining = [name for name, text in texts.items() if re.search(r"CREATE VIEW|jobsift\.store\.views", text)]
    readers = [name for name in defining if "jobsift.store.views" in texts[name]]
    assert defining[0].startswith("0001_")
    assert readers == [defining[-1]]


def test_a_change_to_the_views_comes_with_a_migration_that_recreates_them() -> None:
    """Stores already at the newest view migration keep the text they ran: editing views.py alone
    would leave them behind, so the migration that reads views.py records the text's hash."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted((MIGRATIONS / "versions").glob("*.py"))}
    reader = [name for name, text in texts.items() if "jobsift.store.views" in text][-1]
    recorded = re.search(r'^VIEWS_SHA256 = "([0-9a-f]{64})"', texts[reader], re.M)
    assert recorded is not None, f"{reader} reads jobsift/store/views.py but records no VIEWS_SHA256"
    current = hashlib.sha256("".join(VIEWS.values()).encode()).hexdigest()
    assert current == recorded.group(1), (
        f"jobsift/store/views.py changed after {reader}: freeze the old text into {reader}, add a"
        " migration that drops and recreates the views from views.py, and record the new VIEWS_SHA256 there"
    )
