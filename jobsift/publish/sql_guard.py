"""What analyst SQL may call (R34): functions that act outside the query are refused on both backends.

- **SQLite** reports every function call to the authorizer by its real name, so the check there is
  exact: :data:`SQLITE_DENIED` is refused before the statement runs.
- **PostgreSQL** runs the query as the read-only role :data:`ANALYST_ROLE` (``jobsift db
  analyst-role`` creates it): the server itself refuses file reads, signalling other sessions and
  writes. On top, :func:`pg_denied` refuses the SQL text when it names a function of
  :data:`PG_DENIED` (quotes, case, schema prefixes and comments do not hide a name; unicode-escaped
  identifiers are refused outright), so a superuser URL used with ``--allow-superuser`` cannot
  switch the role back, lift its limits or run SQL hidden in a string.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

ANALYST_ROLE = "jobsift_analyst"

#: SQLite functions that reach outside the query (files, extensions, raw pointers).
SQLITE_DENIED = frozenset(
    {
        "load_extension",
        "fts3_tokenizer",
        "readfile",
        "writefile",
        "edit",
        "zipfile",
        "sqlar_compress",
        "sqlar_uncompress",
        "sqlite_dbpage",
        "sqlite_dbdata",
    }
)

#: PostgreSQL functions (and prefixes ending in ``*``) that act outside the query.
PG_DENIED = (
    # settings and the session's own role
    "set_config",
    "pg_reload_conf",
    "pg_rotate_logfile",
    # other sessions
    "pg_terminate_backend",
    "pg_cancel_backend",
    "pg_signal_backend",
    "pg_advisory_*",
    "pg_try_advisory_*",
    "pg_notify",
    # files and large objects
    "pg_read_file",
    "pg_read_binary_file",
    "pg_ls_*",
    "pg_stat_file",
    "pg_file_*",
    "pg_logdir_ls",
    "lo_*",
    "pg_import_system_collations",
    # SQL run from a string, and other databases
    "query_to_xml*",
    "cursor_to_xml*",
    "table_to_xml*",
    "schema_to_xml*",
    "database_to_xml*",
    "dblink*",
    # the server itself
    "pg_switch_wal",
    "pg_create_restore_point",
    "pg_promote",
    "pg_backup_*",
    "pg_start_backup",
    "pg_stop_backup",
    "pg_create_physical_replication_slot",
    "pg_create_logical_replication_slot",
    "pg_drop_replication_slot",
    "pg_replication_*",
    "pg_logical_*",
    "pg_wal_replay_*",
    "pg_log_backend_memory_contexts",
)


def _pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    parts = [re.escape(n[:-1]) + r"\w*" if n.endswith("*") else re.escape(n) for n in names]
    return re.compile(r"(?<![\w$])(" + "|".join(parts) + r")(?![\w$])")


_PG_DENIED_RE = _pattern(PG_DENIED)
_COMMENT = re.compile(r"/\*.*?\*/|--[^\n]*", re.S)


def pg_denied(sql: str) -> str | None:
    """The first denied function named in ``sql`` (or a reason), None when the text is clean."""
    low = sql.lower()
    if re.search(r"u&\s*[\"']", low):
        return "unicode-escaped names (U&)"
    # Comments become spaces, quotes around identifiers go: "pg_read_file" and pg_read_file/**/( match.
    flat = _COMMENT.sub(" ", low).replace('"', "")
    m = _PG_DENIED_RE.search(flat)
    return m.group(1) if m else None


def is_superuser(conn: Connection) -> bool:
    return bool(conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = session_user")).scalar())


def can_use_role(conn: Connection, role: str) -> bool:
    """True when ``role`` exists, may read this store and the session user may ``SET ROLE`` to it."""
    return bool(
        conn.execute(
            text(
                "SELECT pg_has_role(session_user, r.oid, 'MEMBER') AND CASE WHEN to_regclass('jobs') IS NULL"
                " THEN false ELSE has_table_privilege(r.oid, 'jobs', 'SELECT') END FROM pg_roles r WHERE r.rolname = :r"
            ),
            {"r": role},
        ).scalar()
    )


def create_analyst_role(conn: Connection, role: str = ANALYST_ROLE, *, password: str | None = None) -> list[str]:
    """Create (or refresh) the read-only role in the connected database; returns what was done.

    The role cannot log in unless ``password`` is given, owns nothing, inherits nothing, and gets
    ``SELECT`` on the tables and views of ``public`` (now and future ones created by this user).
    The connected user becomes a member, so ``jobsift query`` can ``SET ROLE`` to it.
    """
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"role name {role!r}: use lowercase letters, digits and _")
    done: list[str] = []
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
    attrs = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS"
    login = "LOGIN" if password else "NOLOGIN"
    if not exists:
        conn.execute(text(f"CREATE ROLE {role} {login} {attrs}"))
        done.append(f"created role {role}")
    else:
        conn.execute(text(f"ALTER ROLE {role} {login} {attrs}"))
    if password:
        quoted = conn.execute(text("SELECT quote_literal(:p)"), {"p": password}).scalar()
        conn.execute(text(f"ALTER ROLE {role} PASSWORD {quoted}"))
        done.append(f"{role} may log in with the password given")
    conn.execute(text(f"ALTER ROLE {role} SET default_transaction_read_only = on"))
    db = conn.execute(text("SELECT current_database()")).scalar()
    conn.execute(text(f'GRANT CONNECT ON DATABASE "{db}" TO {role}'))
    conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
    conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"))
    conn.execute(text(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {role}"))
    done.append(f"granted SELECT on every table and view of {db}.public to {role}")
    member = conn.execute(text("SELECT pg_has_role(current_user, :r, 'MEMBER')"), {"r": role}).scalar()
    if not member:
        conn.execute(text(f"GRANT {role} TO current_user"))
        done.append(f"{conn.execute(text('SELECT current_user')).scalar()} may now SET ROLE {role}")
    return done
