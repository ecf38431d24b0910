"""Build jobsift/data/market_prior.json from the Upwork search export (quantiles only).

Usage: python scripts/build_market_prior.py ../shared/data/upwork-jobs-dev.csv

Only derived figures are written: per market cell (kind x level x skill, with "*" for any), the
number of budgets and the budget at each percentile 0..100. No titles or rows are copied.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from jobsift.scoring.market import PRIOR_PATH, build_cells, cell_samples, cells_to_json, read_upwork_csv

MIN_SAMPLES = 30


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", type=Path)
    ap.add_argument("--out", type=Path, default=PRIOR_PATH)
    ap.add_argument("--min-samples", type=int, default=MIN_SAMPLES)
    args = ap.parse_args()
    records = read_upwork_csv(args.csv)
    values, labels = cell_samples(records)
    cells = build_cells(values, labels, args.min_samples)
    data = {
        "origin": (
            "Quantiles derived from an export of Upwork search results (upwork-jobs-dev.csv: 2,500 unique "
            "postings with Hourly/Fixed, Budget, Level and Skills columns). Fixed = the 'Est. budget'; "
            "hourly = the top of the 'Hourly: $a - $b' range. Only counts and percentiles are kept."
        ),
        "source_file": args.csv.name,
        "source_sha256": hashlib.sha256(args.csv.read_bytes()).hexdigest(),
        "built_at": datetime.now(UTC).date().isoformat(),
        "budgets_used": len(records),
        "min_samples": args.min_samples,
        "percentiles": "0..100 (101 values per cell)",
        "cells": cells_to_json(cells),
    }
    args.out.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(cells)} cells from {len(records)} budgets")


if __name__ == "__main__":
    main()
