"""Engines and migrations: SQLite with WAL, foreign keys and a busy timeout; PostgreSQL by URL."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError

from jobsift.errors import StoreError, StoreLocationError
from jobsift.redact import redact
from jobsift.store.fresh import create_fresh

log = logging.getLogger(__name__)


def _json_dumps(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_MS = 30_000


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN; take the write lock up front so
    # two writers queue on busy_timeout instead of failing with "database is locked".
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_file(path: str, url: str, create: bool) -> None:
    """Check (and with ``create``, prepare) the folder of a SQLite store; one-line errors."""
    file = Path(path).expanduser()
    if not create and not file.exists():
        raise StoreLocationError(
            f"no jobsift store at {file} ({url}): run 'jobsift crawl' or 'jobsift db upgrade' to create one, "
            "or point --db / JOBSIFT_DB / database.url at an existing store"
        )
    if file.is_dir():
        raise StoreLocationError(f"database URL {url!r}: {file} is a folder, not a database file")
    if create:
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreLocationError(
                f"database URL {url!r}: cannot create a store in {file.parent} ({exc.strerror or exc})"
            ) from None


def make_engine(url: str, *, readonly: bool = False, create: bool = True, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite files get WAL, foreign keys and a busy timeout.

    ``create=False`` refuses a SQLite file that does not exist (read commands never create a store).
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreLocationError(
            f"database URL {redact(url)!r} is not a valid URL (sqlite:///path.db or postgresql+psycopg://user@host/db)"
        ) from None
    kwargs.setdefault("json_serializer", _json_dumps)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _sqlite_file(parsed.database, url, create and not readonly)
        connect_args: dict[str, Any] = {"timeout": SQLITE_BUSY_MS / 1000}
        if readonly:
            target = f"file:{Path(parsed.database or '').resolve()}?mode=ro&uri=true"
            connect_args["uri"] = True
            engine = create_engine("sqlite:///" + target, connect_args=connect_args, **kwargs)
        else:
            engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        if not readonly:
            # Let SQLAlchemy, not pysqlite, emit BEGIN so we can make it IMMEDIATE.
            @event.listens_for(engine, "connect")
            def _no_autobegin(dbapi_conn: Any, _record: Any) -> None:
                dbapi_conn.isolation_level = None

            event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    raise StoreLocationError(f"database URL {redact(url)!r}: only sqlite and postgresql are supported")


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The store's schema revision (None: empty); a store that cannot be opened is one ``StoreError``."""
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        if engine.dialect.name == "sqlite" and "unable to open" in str(exc.orig):
            raise StoreLocationError(f"cannot open database {engine.url!r}: {exc.orig}") from None
        raise StoreError(f"cannot open database {engine.url!r}: {exc.orig}") from None
    except DatabaseError as exc:  # "file is not a database": a file that is not SQLite
        raise StoreLocationError(f"database URL {engine.url!r} does not name a jobsift store: {exc.orig}") from None


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = alembic_config(None)  # type: ignore[arg-type]
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


_REVISION = re.compile(r"^revision\s*(?::[^=\n]*)?=\s*['\"]([\w.-]+)['\"]\s*$", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=\n]*)?=\s*(?:None|['\"]([\w.-]+)['\"])\s*$", re.M)


def script_head() -> str | None:
    """The head revision read from the migration files' ``revision``/``down_revision`` lines as text
    (no Alembic, nothing imported); None unless they form one plain chain (then ask Alembic)."""
    revisions: dict[str, str | None] = {}
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rev, down = _REVISION.findall(text), _DOWN.findall(text)
        if len(rev) != 1 or len(down) != 1 or rev[0] in revisions:
            return None
        revisions[rev[0]] = down[0] or None
    parents = set(revisions.values())
    heads = [r for r in revisions if r not in parents]
    roots = [r for r, d in revisions.items() if d is None]
    if len(heads) != 1 or len(roots) != 1 or any(d is not None and d not in revisions for d in parents):
        return None
    return heads[0]


def stored_revision(engine: Engine) -> str | None:
    """The store's ``alembic_version`` row read with one SELECT (no Alembic); None if absent or not one row."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


def upgrade(engine: Engine) -> str:
    """Run every pending migration; returns the revision the database is now at."""
    from alembic import command

    try:
        command.upgrade(alembic_config(engine), "head")
    except OperationalError as exc:
        raise StoreError(f"cannot migrate {engine.url.render_as_string()}: {exc.orig}") from None
    return head_revision()


def ensure_schema(engine: Engine, *, auto_upgrade: bool = True) -> None:
    """Upgrade an out-of-date store, or say clearly what to run.

    The usual case, a store already at the head, costs one SELECT and reading the migration files'
    revision lines: Alembic (about a second of imports on a busy machine) loads only when the stored
    revision differs from the head, or when the files are not a plain chain. An empty database is
    created from the declared schema and stamped at the head (``store.fresh``), without Alembic.
    """
    head = script_head()
    if head is not None:
        stored = stored_revision(engine)
        if stored == head:
            return
        if stored is None and auto_upgrade and create_fresh(engine, head):
            log.info("created database %s at %s", engine.url.render_as_string(), head)
            return
    rev = current_revision(engine)
    if rev == head_revision():
        return
    if not auto_upgrade:
        raise StoreError("the database schema is out of date: run 'jobsift db upgrade'")
    log.info("migrating database %s from %s", engine.url.render_as_string(), rev or "empty")
    upgrade(engine)


def open_store(url: str, *, auto_upgrade: bool = True, create: bool = True) -> Engine:
    """The engine every command uses: created (unless ``create=False``), migrated, ready."""
    engine = make_engine(url, create=create)
    try:
        ensure_schema(engine, auto_upgrade=auto_upgrade)
    except BaseException:
        engine.dispose()
        raise
    return engine
