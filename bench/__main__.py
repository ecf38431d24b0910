"""Run benchmarks: ``python -m bench NAME [NAME...] [--quick] [--json]``; ``all`` runs every one.

Each benchmark module ``bench/<name>.py`` has ``run(quick: bool) -> list[dict]``; each record holds a
``value`` and, where it makes sense, a ``baseline`` measured in the same run and their ``ratio``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

BENCHES = (
    "ingest",
    "parse",
    "parsefloor",
    "parsecheck",
    "crawl",
    "score",
    "listing",
    "workers",
    "peer",
    "cold",
    "query",
    "calibrate",
    "textsignals",
)


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    system = f"{platform.system()} {platform.machine()}"
    return f"{system}, {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def fmt(rec: dict[str, Any]) -> str:
    value = rec.get("value")
    unit = rec.get("unit", "")
    shown = f"{value:>14,.1f}" if isinstance(value, int | float) else str(value)
    line = f"{rec['name']:<48} {shown} {unit}"
    if rec.get("baseline") is not None:
        line += f"   baseline {rec['baseline']:,.1f}"
    if rec.get("ratio") is not None:
        line += f"   ratio {rec['ratio']:.2f}x"
    if rec.get("note"):
        line += f"   ({rec['note']})"
    return line


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("names", nargs="+", help=f"benchmarks to run: {', '.join(BENCHES)} or all")
    ap.add_argument("--quick", action="store_true", help="smaller inputs (a smoke run)")
    ap.add_argument("--json", action="store_true", help="print records as JSON lines")
    args = ap.parse_args(argv)
    names = list(BENCHES) if args.names == ["all"] else args.names
    print(f"# machine: {machine()}", file=sys.stderr)
    for name in names:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            print(f"{name}: not available ({exc})", file=sys.stderr)
            continue
        started = time.perf_counter()
        records = module.run(args.quick)
        took = time.perf_counter() - started
        print(f"## {name} ({took:.1f}s)")
        for rec in records:
            print(json.dumps(rec) if args.json else fmt(rec))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
