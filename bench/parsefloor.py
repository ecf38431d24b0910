"""Whole-posting parsing against its floor, side by side: ``python -m bench parsefloor``.

The floor is what every XML posting needs from two compiled libraries and nothing else: lxml reading
the feed and nh3 sanitising each description (``bench.parse._floor_secs``). Whole postings are the
registered ``parse()`` the crawler calls (sanitised HTML, text, budgets, dates, canonical URLs). The
target (issue #15) is whole / floor <= 2 on each input ``bench parse`` reads: the generated corpus'
XML feeds and the real Upwork and We Work Remotely samples.

``bench parse`` times the two in separate passes, so a change in the machine's load between them
moves the ratio. Here they alternate feed by feed (whole, then the floor, on the same bytes), over
``ROUNDS`` rounds (CPU time of this process); the figure is the median of the per-round ratios, and
the note gives their range. Alternating per feed rather than per pass keeps a burst of load from
falling on one side only (on a shared 2-core machine, per-pass rounds ranged 1.9-5.3x).
"""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.parse import FORMATS, _count, _cpu, _floor_secs, build_corpus
from bench.proc import load_average

ROUNDS = 9


def _inputs(tmp: Path, quick: bool) -> dict[str, list[tuple[str, bytes]]]:
    corpus = build_corpus(tmp, 0.15 if quick else 0.5)
    out = {
        "generated corpus, XML feeds": [
            (fmt, p.read_bytes()) for fmt, files in corpus.items() if FORMATS[fmt][2] for p in files
        ]
    }
    root = Path(os.environ.get("JOBSIFT_SAMPLES", Path(__file__).resolve().parents[2] / "shared" / "samples"))
    for fmt in ("upwork-rss", "weworkremotely"):
        files = sorted((root / fmt).glob("*")) if (root / fmt).is_dir() else []
        if files:
            out[f"real {fmt} samples"] = [(fmt, p.read_bytes()) for p in files if p.is_file()] * (2 if quick else 5)
    return out


def run(quick: bool) -> list[dict[str, Any]]:
    from jobsift.crawler.sources import get_format

    records = []
    with tempfile.TemporaryDirectory(prefix="jobsift-bench-parsefloor-") as tmp:
        inputs = _inputs(Path(tmp), quick)
    for name, bodies in inputs.items():
        parsers = {fmt: get_format(fmt).parse for fmt in {f for f, _ in bodies}}
        raw = [b for _f, b in bodies]

        for fmt, body in bodies[:3]:  # warm-up: lazy imports, compiled patterns
            _count(parsers[fmt], body, fmt)
            _floor_secs([body])
        ratios, whole_secs, floor_secs = [], [], []
        n = 0
        for _ in range(3 if quick else ROUNDS):
            w = f = 0.0
            n = 0
            for (fmt, body), one in zip(bodies, raw, strict=True):
                took, count = _cpu(lambda fmt=fmt, body=body, p=parsers: _count(p[fmt], body, fmt))
                w, n = w + took, n + count
                f += _floor_secs([one])[0]
            ratios.append(w / f)
            whole_secs.append(w)
            floor_secs.append(f)
        records.append(
            {
                "name": f"parsefloor/{name}",
                "value": round(statistics.median(ratios), 2),
                "unit": "x the floor (CPU)",
                "note": (
                    f"{n} postings; whole {n / statistics.median(whole_secs):,.0f}/s, floor "
                    f"{n / statistics.median(floor_secs):,.0f}/s; per-round {min(ratios):.2f}-{max(ratios):.2f}x; "
                    f"target <= 2x; load average {load_average()}"
                ),
            }
        )
    return records
