"""Read-only analyst SQL (``jobsift query``): bound parameters, a time limit, a row cap (R25).

Defence in depth, so that no single check has to be perfect:

- **SQLite**: the file is opened ``mode=ro`` (the OS-level guarantee), ``PRAGMA query_only`` is on,
  and an authorizer allows only reading (SELECT, reads, functions, recursive CTEs): ATTACH, PRAGMA,
  writes and DDL are denied before they run. A progress handler interrupts a query past its time
  limit (a runaway recursive CTE), and the sqlite3 driver refuses a second statement.
- **PostgreSQL**: the transaction is ``READ ONLY`` with a ``statement_timeout``, then rolled back;
  a data-modifying CTE fails like any other write.

Rows are fetched up to ``max_rows`` and the result says when it was cut.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from jobsift.errors import JobsiftError
from jobsift.store.db import make_engine

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000

# sqlite3 authorizer action codes a read needs; everything else is denied.
_SQLITE_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION}
_SQLITE_ALLOWED.add(getattr(sqlite3, "SQLITE_RECURSIVE", 33))


class QueryError(JobsiftError):
    """The analyst query was refused or failed; the message says why in one line."""

    reason = "query_refused"


def unique_names(names: Sequence[str]) -> list[str]:
    """Column names made unique: the first keeps its name, a repeat gets the next free ``_2``, ``_3``."""
    given, seen, out = set(names), set(), []
    for name in names:
        unique, n = name, 1
        while unique in seen or (unique != name and unique in given):
            n += 1
            unique = f"{name}_{n}"
        seen.add(unique)
        out.append(unique)
    return out


@dataclass
class QueryResult:
    """Rows and their column names, made unique (``SELECT p.id, s.id`` gives ``id`` and ``id_2``)."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool
    elapsed_ms: float
    renamed: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        unique = unique_names(self.columns)
        self.renamed = [(old, new) for old, new in zip(self.columns, unique, strict=True) if old != new]
        self.columns = unique

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=False)) for r in self.rows]


READ_ONLY_MSG = "refused: jobsift query is read-only (SELECT and WITH ... SELECT only; no writes, ATTACH or PRAGMA)"


def _explain_sqlite(exc: BaseException, timeout: float) -> QueryError:
    msg = str(getattr(exc, "orig", exc))
    low = msg.lower()
    if "interrupted" in low:
        return QueryError(f"query stopped: it ran longer than the {timeout:g} s time limit")
    if any(w in low for w in ("not authorized", "authorization denied", "readonly", "read-only", "query_only")):
        return QueryError(READ_ONLY_MSG)
    if "one statement at a time" in low:
        return QueryError("refused: one statement per query (remove the ';' and what follows)")
    return QueryError(f"SQL error: {msg.splitlines()[0][:300]}")


def _explain_pg(exc: BaseException, timeout: float) -> QueryError:
    orig = getattr(exc, "orig", exc)
    msg = str(orig).splitlines()[0] if str(orig) else type(orig).__name__
    low = msg.lower()
    if "read-only transaction" in low or "permission denied" in low:
        return QueryError(READ_ONLY_MSG)
    if "statement timeout" in low:
        return QueryError(f"query stopped: it ran longer than the {timeout:g} s time limit")
    if "multiple commands" in low:
        return QueryError("refused: one statement per query (remove the ';' and what follows)")
    return QueryError(f"SQL error: {msg[:300]}")


def run_query(
    url: str, sql: str, params: Mapping[str, Any] | None = None, *,
    timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
) -> QueryResult:
    """Run one read-only statement against the store at ``url`` with ``:name`` parameters."""
    if not sql.strip():
        raise QueryError("empty query")
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return _run_sqlite(url, sql, dict(params or {}), timeout, max_rows)
    if backend == "postgresql":
        return _run_pg(url, sql, dict(params or {}), timeout, max_rows)
    raise QueryError(f"unsupported database {backend!r}")


def _fetch(result: Any, max_rows: int) -> tuple[list[str], list[tuple[Any, ...]], bool]:
    if not result.returns_rows:
        return [], [], False
    try:
        columns = list(result.keys())
        rows = [tuple(r) for r in result.fetchmany(max_rows + 1)]
    finally:
        result.close()  # a server-side cursor left open outlives the transaction
    return columns, rows[:max_rows], len(rows) > max_rows


def _run_sqlite(url: str, sql: str, params: dict[str, Any], timeout: float, max_rows: int) -> QueryResult:
    engine = make_engine(url, readonly=True, poolclass=NullPool)
    started = time.monotonic()
    try:
        with engine.connect() as conn:
            raw: sqlite3.Connection = conn.connection.driver_connection  # type: ignore[assignment]
            raw.execute("PRAGMA query_only = ON")
            deadline = time.monotonic() + timeout

            def authorize(action: int, *_args: Any) -> int:
                return sqlite3.SQLITE_OK if action in _SQLITE_ALLOWED else sqlite3.SQLITE_DENY

            raw.set_authorizer(authorize)
            raw.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10_000)
            try:
                columns, rows, cut = _fetch(conn.execute(text(sql), params), max_rows)
            finally:
                raw.set_progress_handler(None, 0)
                raw.set_authorizer(None)
                conn.rollback()
    except (SQLAlchemyError, sqlite3.Error) as exc:
        raise _explain_sqlite(exc, timeout) from None
    finally:
        engine.dispose()
    return QueryResult(columns, rows, cut, (time.monotonic() - started) * 1000)


def _run_pg(url: str, sql: str, params: dict[str, Any], timeout: float, max_rows: int) -> QueryResult:
    engine = make_engine(url, poolclass=NullPool)
    started = time.monotonic()
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
            conn.exec_driver_sql("SET LOCAL lock_timeout = 2000")
            try:
                # A server-side cursor: the row cap stops an endless result instead of buffering it.
                result = conn.execution_options(stream_results=True).execute(text(sql), params)
                columns, rows, cut = _fetch(result, max_rows)
            finally:
                conn.rollback()
    except (DBAPIError, SQLAlchemyError) as exc:
        raise _explain_pg(exc, timeout) from None
    finally:
        engine.dispose()
    return QueryResult(columns, rows, cut, (time.monotonic() - started) * 1000)
