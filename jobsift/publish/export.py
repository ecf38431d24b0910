"""``jobsift export``: the filtered ``jobs`` view as CSV, JSON Lines or Parquet.

One flat row per job with the columns of the ``jobs`` view (docs/analysts.md), read through the
same ``JobFilter`` as the web page. CSV cells that a spreadsheet would run as a formula
(starting with ``= + - @``, tab or CR) get a leading quote (R19). Parquet keeps types: timestamps
as UTC, skills and flags as lists of strings, reasons as JSON text. Every writer takes a binary
stream, so a file and standard output (``--out -``, or no ``--out``) are written the same way.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine

from jobsift.encoding import csv_safe, json_default
from jobsift.store.queries import JobFilter, jobs_select
from jobsift.store.records import BUDGET_FIELDS, CLIENT_COLUMNS, COMPETITION_FIELDS

FORMATS = ("csv", "jsonl", "parquet")
COLUMNS: tuple[str, ...] = (
    "id",
    "source",
    "external_id",
    "url",
    "title",
    "description_text",
    "posted_at",
    "first_seen_at",
    "last_seen_at",
    "gone_at",
    "seen_count",
    *(f"budget_{k}" for k in BUDGET_FIELDS),
    "category",
    "skills",
    "country",
    "experience_level",
    "company",
    "job_type",
    "location",
    "remote",
    *COMPETITION_FIELDS,
    "quality",
    "flags",
    "ghost_probability",
    "payment_status",
    "lowball_ratio",
    "lowball_percentile",
    "reasons",
    "model_version",
    "scored_at",
    "client_id",
    *CLIENT_COLUMNS,
)
TIME_COLUMNS = {
    "posted_at",
    "first_seen_at",
    "last_seen_at",
    "gone_at",
    "last_client_activity_at",
    "scored_at",
    "client_member_since",
}
LIST_COLUMNS = {"skills", "flags"}
BATCH = 2000


def iter_rows(engine: Engine, f: JobFilter) -> Iterator[dict[str, Any]]:
    """Flat rows of the filtered listing, streamed in batches."""
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(jobs_select(f))
        for row in result:
            m = row._mapping
            yield {c: m[c] for c in COLUMNS}


@contextlib.contextmanager
def text_on(fh: IO[bytes]) -> Iterator[io.TextIOWrapper]:
    """UTF-8 text over ``fh`` without closing it (standard output stays usable)."""
    text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
    try:
        yield text
    finally:
        text.flush()
        text.detach()


def write_csv(rows: Iterator[dict[str, Any]], fh: IO[bytes]) -> int:
    n = 0
    with text_on(fh) as text:
        writer = csv.writer(text)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([csv_safe(row[c]) for c in COLUMNS])
            n += 1
    return n


def write_jsonl(rows: Iterator[dict[str, Any]], fh: IO[bytes]) -> int:
    n = 0
    with text_on(fh) as text:
        for row in rows:
            text.write(json.dumps(row, default=json_default, ensure_ascii=False) + "\n")
            n += 1
    return n


def parquet_schema() -> Any:
    import pyarrow as pa

    numeric = {
        "id": pa.int64(),
        "seen_count": pa.int64(),
        "proposals": pa.int64(),
        "interviewing": pa.int64(),
        "invites_sent": pa.int64(),
        "unanswered_invites": pa.int64(),
        "hires": pa.int64(),
        "client_id": pa.int64(),
        "client_jobs_posted": pa.int64(),
        "client_jobs_with_hires": pa.int64(),
        "client_open_jobs": pa.int64(),
        "client_reviews_count": pa.int64(),
        "remote": pa.bool_(),
        "client_payment_verified": pa.bool_(),
    }
    floats = {
        "budget_min",
        "budget_max",
        "budget_min_usd",
        "budget_max_usd",
        "quality",
        "ghost_probability",
        "lowball_ratio",
        "lowball_percentile",
        "client_total_spent",
        "client_hire_rate",
        "client_rating",
    }
    fields = []
    for c in COLUMNS:
        if c in TIME_COLUMNS:
            t = pa.timestamp("us", tz="UTC")
        elif c in LIST_COLUMNS:
            t = pa.list_(pa.string())
        elif c in floats:
            t = pa.float64()
        else:
            t = numeric.get(c, pa.string())
        fields.append(pa.field(c, t))
    return pa.schema(fields)


def _parquet_value(column: str, value: Any) -> Any:
    if value is None:
        return None
    if column in LIST_COLUMNS:
        return [str(v) for v in value] if isinstance(value, list) else None
    if column == "reasons":
        return json.dumps(value, default=json_default, ensure_ascii=False)
    if column in TIME_COLUMNS:
        return value if isinstance(value, datetime) else None
    return value


def write_parquet(rows: Iterator[dict[str, Any]], fh: IO[bytes]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    n = 0
    with pq.ParquetWriter(fh, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append({c: _parquet_value(c, row[c]) for c in COLUMNS})
            if len(batch) >= BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
                batch = []
        if batch or n == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
    return n


def export(engine: Engine, f: JobFilter, fmt: str, out: Path | IO[bytes]) -> int:
    """Write the filtered jobs to ``out`` (a path, or an open binary stream) in ``fmt``; returns the row count."""
    writers = {"csv": write_csv, "jsonl": write_jsonl, "parquet": write_parquet}
    if fmt not in writers:
        raise ValueError(f"unknown export format {fmt!r} (csv, jsonl or parquet)")
    if not isinstance(out, Path):
        n = writers[fmt](iter_rows(engine, f), out)
        out.flush()
        return n
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        return writers[fmt](iter_rows(engine, f), fh)
