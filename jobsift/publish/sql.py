"""Read-only analyst SQL (``jobsift query``): bound parameters and bounds on time and memory (R25, R33, R34).

Defence in depth, so that no single check has to be perfect:

- **Time** is bounded for the whole query from the client side: a watchdog interrupts the SQLite
  connection or cancels the PostgreSQL statement at the deadline, and the fetch loop stops there
  too, so neither a slow fetch nor a query that lifts its own server-side timeout runs longer.
- **Memory**: rows are read one at a time up to ``max_rows`` and ``max_bytes`` (the result says
  when it was cut); on SQLite no single value may be larger than ``max_bytes``
  (``SQLITE_LIMIT_LENGTH``) and the library's heap is capped while the query runs, so a
  ``zeroblob`` in a recursive CTE fails instead of eating the machine.
- **SQLite**: the file is opened ``mode=ro``, ``PRAGMA query_only`` is on, and an authorizer allows
  only reading and refuses functions that act outside the query (``sql_guard.SQLITE_DENIED``):
  ATTACH, PRAGMA, writes and DDL are denied before they run.
- **PostgreSQL**: the statement runs as a server-side cursor (one SELECT, nothing else) in a
  ``READ ONLY`` transaction that is rolled back, as the read-only role ``jobsift_analyst``
  (``SET LOCAL ROLE``; ``jobsift db analyst-role`` creates it). A superuser URL is refused unless
  the caller insists (``allow_superuser``), and SQL naming a function of ``sql_guard.PG_DENIED``
  (settings, other sessions, files, SQL in strings) is refused before it runs.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from jobsift.errors import JobsiftError
from jobsift.publish import sql_guard
from jobsift.store.db import make_engine

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_BYTES = 64_000_000  # result held in memory, estimated from the values
SQLITE_HEAP_SLACK = 128_000_000  # SQLite's own working memory on top of the result cap

# sqlite3 authorizer action codes a read needs; everything else is denied.
_SQLITE_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION}
_SQLITE_ALLOWED.add(getattr(sqlite3, "SQLITE_RECURSIVE", 33))
_SQLITE_HEAP_LOCK = threading.Lock()  # the heap limit is process-wide: one analyst query at a time


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
    cut_by: str = ""  # "rows" or "bytes" when truncated
    bytes: int = 0  # estimated size of the rows kept
    renamed: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        unique = unique_names(self.columns)
        self.renamed = [(old, new) for old, new in zip(self.columns, unique, strict=True) if old != new]
        self.columns = unique

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=False)) for r in self.rows]


READ_ONLY_MSG = "refused: jobsift query is read-only (SELECT and WITH ... SELECT only; no writes, ATTACH or PRAGMA)"


def _too_long(timeout: float) -> QueryError:
    return QueryError(f"query stopped: it ran longer than the {timeout:g} s time limit")


def _explain_sqlite(exc: BaseException, timeout: float, max_bytes: int) -> QueryError:
    msg = str(getattr(exc, "orig", exc))
    low = msg.lower()
    if "interrupted" in low:
        return _too_long(timeout)
    if isinstance(getattr(exc, "orig", exc), MemoryError) or "too big" in low or "out of memory" in low:
        return QueryError(f"query stopped: it needed more memory than the {max_bytes:,} byte limit (--max-bytes)")
    if any(w in low for w in ("not authorized", "authorization denied", "readonly", "read-only", "query_only")):
        return QueryError(READ_ONLY_MSG)
    if "one statement at a time" in low:
        return QueryError("refused: one statement per query (remove the ';' and what follows)")
    return QueryError(f"SQL error: {msg.splitlines()[0][:300] if msg else type(exc).__name__}")


def _explain_pg(exc: BaseException, timeout: float) -> QueryError:
    orig = getattr(exc, "orig", exc)
    msg = str(orig).splitlines()[0] if str(orig) else type(orig).__name__
    low = msg.lower()
    if "read-only transaction" in low or "permission denied" in low or "must be superuser" in low:
        return QueryError(READ_ONLY_MSG + f" [{msg[:200]}]")
    if "statement timeout" in low or "due to user request" in low:
        return _too_long(timeout)
    if "multiple commands" in low or 'syntax error at or near ";"' in low:
        return QueryError("refused: one statement per query (remove the ';' and what follows)")
    return QueryError(f"SQL error: {msg[:300]}")


def run_query(
    url: str,
    sql: str,
    params: Mapping[str, Any] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_superuser: bool = False,
    role: str = sql_guard.ANALYST_ROLE,
) -> QueryResult:
    """Run one read-only statement against the store at ``url`` with ``:name`` parameters.

    The whole call, fetching included, ends within about ``timeout`` seconds; at most ``max_rows``
    rows and about ``max_bytes`` bytes of values are kept (``truncated`` says when more followed).
    """
    if not sql.strip():
        raise QueryError("empty query")
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return _run_sqlite(url, sql, dict(params or {}), timeout, max_rows, max_bytes)
    if backend == "postgresql":
        return _run_pg(url, sql, dict(params or {}), timeout, max_rows, max_bytes, allow_superuser, role)
    raise QueryError(f"unsupported database {backend!r}")


def _size(value: Any) -> int:
    if isinstance(value, str | bytes | bytearray | memoryview):
        return len(value) + 40
    return 16


@contextmanager
def _watchdog(timeout: float, stop: Callable[[], None]) -> Iterator[Callable[[], bool]]:
    """Calls ``stop`` once at the deadline; yields a function telling whether it has passed."""
    deadline = time.monotonic() + timeout
    fired = threading.Event()

    def fire() -> None:
        fired.set()
        with contextlib.suppress(Exception):  # a cancel that fails leaves the fetch-loop check
            stop()

    timer = threading.Timer(timeout, fire)
    timer.daemon = True
    timer.start()
    try:
        yield lambda: fired.is_set() or time.monotonic() > deadline
    finally:
        timer.cancel()


def _fetch(
    result: Any, max_rows: int, max_bytes: int, expired: Callable[[], bool], timeout: float
) -> tuple[list[str], list[tuple[Any, ...]], str, int]:
    """Rows one at a time until the caps; (columns, rows, what cut them or '', bytes kept)."""
    if not result.returns_rows:
        return [], [], "", 0
    rows: list[tuple[Any, ...]] = []
    used, cut = 0, ""
    try:
        columns = list(result.keys())
        for raw in result:
            if expired():
                raise _too_long(timeout)
            row = tuple(raw)
            size = sum(_size(v) for v in row) + 56
            if len(rows) >= max_rows:
                cut = "rows"
                break
            if used + size > max_bytes:
                cut = "bytes"
                break
            rows.append(row)
            used += size
        if expired():
            raise _too_long(timeout)
    finally:
        result.close()  # a server-side cursor left open outlives the transaction
    return columns, rows, cut, used


def _run_sqlite(
    url: str, sql: str, params: dict[str, Any], timeout: float, max_rows: int, max_bytes: int
) -> QueryResult:
    engine = make_engine(url, readonly=True, poolclass=NullPool)
    started = time.monotonic()
    try:
        with engine.connect() as conn, _SQLITE_HEAP_LOCK:
            raw: sqlite3.Connection = conn.connection.driver_connection  # type: ignore[assignment]
            raw.execute("PRAGMA query_only = ON")
            previous_heap = int(raw.execute("PRAGMA hard_heap_limit").fetchone()[0])
            raw.execute(f"PRAGMA hard_heap_limit = {int(max_bytes + SQLITE_HEAP_SLACK)}")
            raw.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max(1000, max_bytes))
            raw.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 1_000_000)
            deadline = time.monotonic() + timeout

            def authorize(action: int, arg1: str | None, arg2: str | None, *_rest: Any) -> int:
                if action not in _SQLITE_ALLOWED:
                    return sqlite3.SQLITE_DENY
                if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in sql_guard.SQLITE_DENIED:
                    return sqlite3.SQLITE_DENY
                return sqlite3.SQLITE_OK

            raw.set_authorizer(authorize)
            raw.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10_000)
            try:
                with _watchdog(timeout, raw.interrupt) as expired:
                    columns, rows, cut, used = _fetch(
                        conn.execute(text(sql), params), max_rows, max_bytes, expired, timeout
                    )
            finally:
                raw.set_progress_handler(None, 0)
                raw.set_authorizer(None)
                conn.rollback()
                raw.execute(f"PRAGMA hard_heap_limit = {previous_heap}")
    except (SQLAlchemyError, sqlite3.Error, MemoryError) as exc:
        raise _explain_sqlite(exc, timeout, max_bytes) from None
    finally:
        engine.dispose()
    return QueryResult(columns, rows, bool(cut), (time.monotonic() - started) * 1000, cut, used)


def _run_pg(
    url: str,
    sql: str,
    params: dict[str, Any],
    timeout: float,
    max_rows: int,
    max_bytes: int,
    allow_superuser: bool,
    role: str,
) -> QueryResult:
    denied = sql_guard.pg_denied(sql)
    if denied:
        raise QueryError(f"refused: {denied} acts outside the query (jobsift query only reads)")
    engine = make_engine(url, poolclass=NullPool, connect_args={"connect_timeout": max(1, int(timeout))})
    started = time.monotonic()
    try:
        with engine.connect() as conn:
            if sql_guard.is_superuser(conn) and not allow_superuser:
                raise QueryError(
                    "refused: the database URL logs in as a superuser; connect as the store's "
                    "owner or an analyst role (or pass --allow-superuser)"
                )
            if not sql_guard.can_use_role(conn, role):
                raise QueryError(
                    f"refused: no read-only role {role!r} for this user: run "
                    "'jobsift db analyst-role' once as the store's owner"
                )
            conn.rollback()
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            conn.exec_driver_sql(f"SET LOCAL ROLE {role}")
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
            conn.exec_driver_sql("SET LOCAL lock_timeout = 2000")
            raw: Any = conn.connection.driver_connection
            try:
                with _watchdog(timeout, raw.cancel_safe) as expired:
                    # A server-side cursor: one SELECT only, and the caps stop an endless result.
                    result = conn.execution_options(stream_results=True, max_row_buffer=100).execute(text(sql), params)
                    columns, rows, cut, used = _fetch(result, max_rows, max_bytes, expired, timeout)
            finally:
                conn.rollback()
    except (DBAPIError, SQLAlchemyError) as exc:
        raise _explain_pg(exc, timeout) from None
    finally:
        engine.dispose()
    return QueryResult(columns, rows, bool(cut), (time.monotonic() - started) * 1000, cut, used)
