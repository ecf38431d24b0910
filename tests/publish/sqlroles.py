"""PostgreSQL roles for analyst-SQL tests: the read-only role plus a plain (non-superuser) login."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, text

from jobsift.publish.sql_guard import create_analyst_role


def analyst_url(engine: Engine, db_url: str) -> str:
    """``db_url`` itself on SQLite; on PostgreSQL a URL of a fresh non-superuser login that may
    ``SET ROLE jobsift_analyst`` (created here, as ``jobsift db analyst-role`` would)."""
    if not db_url.startswith("postgresql"):
        return db_url
    user = "u_" + uuid.uuid4().hex[:10]
    with engine.begin() as conn:
        create_analyst_role(conn)
        conn.execute(text(f"CREATE ROLE {user} LOGIN NOSUPERUSER"))
        conn.execute(text(f"GRANT jobsift_analyst TO {user}"))
    return db_url.replace("postgresql+psycopg://postgres@", f"postgresql+psycopg://{user}@")
