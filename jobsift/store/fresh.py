"""A brand-new store: created from the declared schema and stamped at the head, no migrations run.

Running every migration on an empty database (0001 onwards, SQLite's batch table copies included)
builds the schema the code declares (``schema.metadata`` plus ``views``), which
``tests/store/test_fresh_store.py`` checks on both backends: the same tables, columns, types,
indexes (the partial unique ``uq_scores_one_latest`` too), views and ``alembic_version``. So an
empty database gets that schema in one transaction instead, and the head revision written into an
``alembic_version`` table built as Alembic builds it; Alembic itself is not imported. Only an empty
database (no table, no view) is created this way: any other store upgrades through its migrations.

Two processes creating the same store queue on the write lock (SQLite's ``BEGIN IMMEDIATE``,
PostgreSQL's transaction-scoped advisory lock) and check emptiness again under it: the second finds
the first's tables and creates nothing.
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, Engine, MetaData, PrimaryKeyConstraint, String, Table, text
from sqlalchemy.exc import DBAPIError

#: Alembic's version table, as ``alembic.runtime.migration.MigrationContext`` declares it.
VERSION_TABLE = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)
#: Key of the PostgreSQL advisory lock held while a fresh store is created ("jobsift" in ASCII).
PG_LOCK_KEY = 0x6A6F627369667400


def is_empty(conn: Connection) -> bool:
    """True when the database holds no table and no view (SQLite: nothing in ``sqlite_master``)."""
    if conn.dialect.name == "sqlite":
        sql = "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    else:
        sql = "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
    return int(conn.execute(text(sql)).scalar_one()) == 0


def create_fresh(engine: Engine, head: str) -> bool:
    """Create the declared schema stamped at ``head`` if the database is empty; False (nothing done) if not.

    A database that cannot be read as one (not a store, unreachable) is left to the caller's
    migration path, which reports it in one line.
    """
    from jobsift.store.schema import create_all

    try:
        with engine.connect() as conn:
            if not is_empty(conn):
                return False
    except DBAPIError:
        return False
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
        if not is_empty(conn):  # another process created it meanwhile
            return False
        create_all(conn)
        VERSION_TABLE.create(conn)
        conn.execute(VERSION_TABLE.insert(), {"version_num": head})
    return True
