"""Parsed output, posting by posting, for comparing two trees: ``python -m bench parsecheck``.

Not a timing: a change to the parsers that is meant to be faster only must leave every parsed posting
byte-for-byte the same. This writes one JSON line per posting (every normalised field, ``raw``
included, the store's content hash of its facts and its fingerprint) for every input ``bench parse``
and ``bench parsefloor`` read: the generated corpus (every format), the real third-party samples
(``JOBSIFT_SAMPLES`` or ``../shared/samples``, read in place) and the project's own test fixtures.
The record is the digest of all lines; ``PARSECHECK_OUT=file`` keeps the lines for a ``diff``.

To compare with another tree, run this file with that tree on the path (it imports only
``bench.parse`` and ``jobsift``)::

    PYTHONPATH=/tmp/parse-before python bench/parsecheck.py > before.txt
    PYTHONPATH=$PWD python bench/parsecheck.py > after.txt && diff before.txt after.txt
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Sample folder -> the formats that read it (the generic RSS parser reads the RSS-shaped ones too).
SAMPLE_FORMATS = {
    "upwork-rss": ("upwork-rss", "rss"),
    "weworkremotely": ("weworkremotely", "rss"),
    "remoteok": ("remoteok",),
    "remotive": ("remotive",),
    "arbeitnow": ("arbeitnow",),
    "jobicy": ("jobicy",),
    "freelancer": ("freelancer",),
    "upwork-detail": ("upwork-graphql",),
}


def _inputs(tmp: Path, scale: float) -> Iterator[tuple[str, str, bytes]]:
    """(label, format, body) for every input, in a fixed order."""
    from bench.parse import build_corpus

    for fmt, files in build_corpus(tmp, scale).items():
        for p in files:
            yield f"corpus/{fmt}/{p.name}", fmt, p.read_bytes()
    samples = Path(os.environ.get("JOBSIFT_SAMPLES", ROOT.parent / "shared" / "samples"))
    for folder, fmts in SAMPLE_FORMATS.items():
        for p in sorted((samples / folder).glob("*")) if (samples / folder).is_dir() else []:
            for fmt in fmts:
                yield f"samples/{folder}/{p.name}", fmt, p.read_bytes()
    fixtures = ROOT / "tests" / "fixtures"
    for folder in sorted(fixtures.iterdir()) if fixtures.is_dir() else []:
        for p in sorted(folder.glob("*")) if folder.is_dir() else []:
            if p.is_file() and folder.name != "model":
                yield f"fixtures/{folder.name}/{p.name}", folder.name, p.read_bytes()


def lines(scale: float = 0.5) -> Iterator[str]:
    """One JSON line per parsed posting (or per input that does not parse: its error)."""
    from jobsift.crawler.sources import get_format
    from jobsift.fingerprint import fingerprint
    from jobsift.store.postings import content_hash, posting_row

    with tempfile.TemporaryDirectory(prefix="jobsift-parsecheck-") as tmp:
        for label, fmt, body in _inputs(Path(tmp), scale):
            try:
                parser = get_format(fmt)
            except Exception as exc:  # a format one of the trees lacks
                yield json.dumps({"input": label, "format": fmt, "error": repr(exc)})
                continue
            try:
                result = parser.parse(body, {}, source=fmt, options={})
            except Exception as exc:  # a fixture that is meant to fail: its error is output too
                yield json.dumps({"input": label, "format": fmt, "error": f"{type(exc).__name__}: {exc}"})
                continue
            head: dict[str, Any] = {"bozo": result.bozo, "warnings": result.warnings, "seen": result.items_seen}
            yield json.dumps({"input": label, "format": fmt, **head}, sort_keys=True, default=str)
            for p in result.postings:
                row = {
                    "input": label,
                    "format": fmt,
                    "posting": p.to_dict(),
                    "content_hash": content_hash(posting_row(p)),
                    "fingerprint": fingerprint(p.title, p.description_text),
                }
                yield json.dumps(row, sort_keys=True, default=str, ensure_ascii=True)


def run(quick: bool) -> list[dict[str, Any]]:
    digest = hashlib.sha256()
    n = 0
    out_path = os.environ.get("PARSECHECK_OUT")
    out = open(out_path, "w", encoding="utf-8") if out_path else None  # noqa: SIM115
    try:
        for line in lines(0.15 if quick else 0.5):
            digest.update(line.encode() + b"\n")
            n += 1
            if out:
                out.write(line + "\n")
    finally:
        if out:
            out.close()
    return [{"name": "parsecheck/all", "value": n, "unit": "lines", "note": f"sha256 {digest.hexdigest()}"}]


if __name__ == "__main__":
    for line in lines(0.15 if "--quick" in sys.argv else 0.5):
        print(line)
