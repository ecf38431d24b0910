"""A brand-new store created from the declared schema and stamped (``store.fresh``) is the store every
migration builds, on both backends; only an empty database is created that way."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from jobsift.errors import StoreLocationError
from jobsift.store.db import current_revision, head_revision, make_engine, open_store, stored_revision, upgrade
from jobsift.store.fresh import create_fresh
from jobsift.store.schema import metadata


def _schema(engine: Engine) -> dict[str, Any]:
    """Everything the inspector reports of every table and view, in a comparable form."""
    insp = inspect(engine)
    out: dict[str, Any] = {"views": {}, "tables": {}}
    for name in sorted(insp.get_view_names()):
        out["views"][name] = " ".join(str(insp.get_view_definition(name)).split())
    for name in sorted(insp.get_table_names()):
        columns = {
            c["name"]: (str(c["type"]), c["nullable"], str(c.get("default")), str(c.get("computed")))
            for c in insp.get_columns(name)
        }
        indexes = sorted(
            (
                i["name"],
                tuple(i["column_names"]),
                bool(i["unique"]),
                " ".join(str(v) for k, v in sorted(i.get("dialect_options", {}).items()) if k.endswith("_where")),
            )
            for i in insp.get_indexes(name)
        )
        fks = sorted(
            (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]), str(f.get("options")))
            for f in insp.get_foreign_keys(name)
        )
        pk = insp.get_pk_constraint(name)
        uniques = sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(name))
        checks = sorted(" ".join(c["sqltext"].split()) for c in insp.get_check_constraints(name))
        out["tables"][name] = {
            "columns": columns,
            "indexes": indexes,
            "foreign_keys": fks,
            "primary_key": tuple(pk["constrained_columns"]),
            "unique": uniques,
            "checks": checks,
        }
    return out


def _sqlite_objects(engine: Engine) -> dict[str, tuple[str, str]]:
    """SQLite's own record: each index and view, its table and its SQL (whitespace collapsed)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT type, name, tbl_name, sql FROM sqlite_master "
                "WHERE type IN ('index', 'view') AND sql IS NOT NULL"
            )
        ).all()
    return {f"{t}:{n}": (tbl, " ".join(sql.split())) for t, n, tbl, sql in rows}


def test_a_created_store_is_the_migrated_store(new_url: Callable[[], str], engines: list[Engine]) -> None:
    migrated = make_engine(new_url())
    created = make_engine(new_url())
    engines += [migrated, created]
    upgrade(migrated)
    assert create_fresh(created, head_revision()) is True
    want, got = _schema(migrated), _schema(created)
    assert sorted(got["tables"]) == sorted(want["tables"])
    for name in want["tables"]:
        assert got["tables"][name] == want["tables"][name], name
    assert got["views"] == want["views"] != {}
    latest = [i for i in got["tables"]["scores"]["indexes"] if i[0] == "uq_scores_one_latest"]
    assert latest == [("uq_scores_one_latest", ("posting_id",), True, latest[0][3])]
    assert "is_latest" in latest[0][3]
    assert stored_revision(created) == current_revision(created) == stored_revision(migrated) == head_revision()
    for eng in (migrated, created):
        with eng.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
        assert diff == []
    if migrated.dialect.name == "sqlite":
        assert _sqlite_objects(created)["index:uq_scores_one_latest"] == (
            "scores",
            "CREATE UNIQUE INDEX uq_scores_one_latest ON scores (posting_id) WHERE is_latest",
        )
        assert set(_sqlite_objects(created)) == set(_sqlite_objects(migrated))


def test_open_store_creates_an_empty_database_and_migrates_an_old_one(
    new_url: Callable[[], str], engines: list[Engine]
) -> None:
    from alembic import command

    from jobsift.store.db import alembic_config

    fresh = open_store(new_url())
    engines.append(fresh)
    assert stored_revision(fresh) == head_revision()
    old = make_engine(new_url())
    engines.append(old)
    command.upgrade(alembic_config(old), "0003")
    assert create_fresh(old, head_revision()) is False  # not empty: never created over
    assert stored_revision(old) == "0003"
    open_store(str(old.url.render_as_string(hide_password=False))).dispose()
    assert stored_revision(old) == head_revision()
    assert _schema(old) == _schema(fresh)


def test_a_database_with_other_tables_is_not_created_over(tmp_path: Path) -> None:
    """A non-empty database without ``alembic_version`` goes the migration path (and its errors)."""
    eng = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        with eng.begin() as conn:
            conn.execute(text("CREATE TABLE someone_elses (id INTEGER)"))
        assert create_fresh(eng, head_revision()) is False
        with eng.connect() as conn:
            names = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars().all()
        assert names == ["someone_elses"]
    finally:
        eng.dispose()


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("not a database at all " * 100, encoding="utf-8")
    with pytest.raises(StoreLocationError, match="does not name a jobsift store"):
        open_store(f"sqlite:///{bad}")
    assert bad.read_text(encoding="utf-8") == "not a database at all " * 100


def test_creating_a_fresh_store_imports_no_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    code = (
        "import sys; from jobsift.store.db import open_store; "
        f"open_store({url!r}).dispose(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert proc.stdout.strip() == "[]"
