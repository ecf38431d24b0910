"""``jobsift import``: saved files parsed with a format's parser and stored, one transaction per file."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from jobsift.config import FetchConfig, SourceConfig
from jobsift.crawler.request import parse_body
from jobsift.crawler.run import utcnow
from jobsift.crawler.sources import get_format
from jobsift.errors import JobsiftError, ParseError
from jobsift.redact import error_text, reason
from jobsift.store import postings, runs, sources

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ImportReport:
    """What ``import_files`` did: files, items, new, updated, one line per problem."""

    files: int = 0
    items: int = 0
    new: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def import_files(
    engine: Engine,
    paths: Sequence[Path],
    fmt: str,
    source: str,
    *,
    options: dict[str, Any] | None = None,
    now: Callable[[], datetime] = utcnow,
    progress: Callable[[Path], None] | None = None,
    max_bytes: int | None = None,
) -> ImportReport:
    """Parse saved files with a format's parser and store them (one transaction per file).

    A file larger than ``max_bytes`` (the fetch body cap, ``fetch.max_bytes``) is refused unread;
    a file that cannot be read, parsed or stored is reported in one line and the next file goes on
    (R33, R35). The run row is always finished, even when the import is interrupted.
    """
    src = SourceConfig(name=source, format=fmt, url=f"file:{fmt}", options=options or {})
    get_format(fmt).check_options(src.options, "import")
    cap = max_bytes or FetchConfig().max_bytes
    report = ImportReport()
    with engine.begin() as conn:
        run_id = runs.start_run(conn, now(), "import")
    status = "aborted"
    try:
        for path in paths:
            report.files += 1
            try:
                _import_one(engine, src, path, cap, now, report)
            except (OSError, JobsiftError) as exc:
                report.errors.append(f"{path}: {reason(str(exc))}")
            except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others (R35)
                log.debug("import %s failed\n%s", path, traceback.format_exc())
                report.errors.append(f"{path}: {reason(f'{type(exc).__name__}: {error_text(exc)}')}")
            if progress:
                progress(path)
        status = "ok" if not report.errors else ("partial" if report.items else "failed")
    finally:
        with engine.begin() as conn:
            runs.finish_run(conn, run_id, now(), status, {"import/files": report.files, "store/new": report.new})
    return report


def _import_one(
    engine: Engine, src: SourceConfig, path: Path, max_bytes: int, now: Callable[[], datetime], report: ImportReport
) -> None:
    """Read, parse and store one file in one transaction."""
    body = read_capped(path, max_bytes)
    result = parse_body(src, body, {})
    del body
    with engine.begin() as conn:
        sources.ensure_source(conn, src.name, src.format, src.url)
        stats = postings.upsert_postings(conn, src.name, result.postings, now())
    report.items += len(result.postings)
    report.new += stats.new
    report.updated += stats.updated
    if result.bozo:
        report.errors.append(f"{path}: partial ({'; '.join(result.warnings[:2])})")


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; a ``ParseError`` (``too_large``) if it holds more than ``max_bytes`` (checked
    again while reading, so a growing file or a device cannot get past the cap either)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise ParseError(
            f"refused: {size:,} bytes is over the {max_bytes:,}-byte cap (fetch.max_bytes)", reason="too_large"
        )
    with path.open("rb") as fh:
        body = fh.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise ParseError(f"refused: more than the {max_bytes:,}-byte cap (fetch.max_bytes)", reason="too_large")
    return body
