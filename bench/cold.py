"""The cold path: wall and CPU time of whole ``jobsift jobs`` and ``jobsift explain ID`` processes.

A 10,000-posting SQLite store is generated as in ``bench score`` (varied text, budgets, clients,
reposts) and scored once with the shipped model; then each command runs as a fresh process
(``python -m jobsift --db ... jobs`` / ``explain ID``), output to a pipe, ``--quick`` 3 rounds
else 7 after one warm-up, with compiled bytecode as an installed copy has (``bench.proc``). The
figures are the medians (targets: explain <= 0.5 s, jobs <= 0.4 s wall). Floors measured in the same
run: ``python -c pass`` (the interpreter's own start) and ``python -c "import sqlalchemy"`` (what any
command that opens the store pays before it does anything: SQLAlchemy imports its whole core, asyncio
included, on ``import sqlalchemy``); ``jobsift --help`` is timed too. The store keeps reading through
SQLAlchemy, so the figure each change drives down is a command's CPU beyond that floor: ``over_sqlalchemy``
(the median, over the rounds, of the command's CPU minus ``import sqlalchemy``'s in the same round).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.proc import child_env, load_average, timed

POSTINGS = 10_000


def run(quick: bool) -> list[dict[str, Any]]:
    from bench.score import _generate
    from jobsift.config import load_config
    from jobsift.scoring.score import score_pending
    from jobsift.store.db import open_store

    rounds = 3 if quick else 7
    with tempfile.TemporaryDirectory(prefix="jobsift-bench-cold-") as tmp:
        env = child_env(Path(tmp), COLUMNS="120")
        db = Path(tmp) / "jobs.db"
        _generate(db, POSTINGS)
        url = f"sqlite:///{db}"
        engine = open_store(url)
        score_pending(engine, load_config(None, db_url=url))
        engine.dispose()
        base = [sys.executable, "-m", "jobsift", "--db", url]
        commands = {
            "cold/python-start": [sys.executable, "-c", "pass"],
            "cold/import-sqlalchemy": [sys.executable, "-c", "import sqlalchemy"],
            "cold/help": [*base, "--help"],
            "cold/jobs": [*base, "jobs"],
            "cold/explain": [*base, "explain", str(POSTINGS // 2)],
        }
        walls: dict[str, list[float]] = {k: [] for k in commands}
        cpus: dict[str, list[float]] = {k: [] for k in commands}
        for r in range(rounds + 1):
            for name, cmd in commands.items():
                wall, cpu, _out = timed(cmd, env)
                if r:
                    walls[name].append(wall)
                    cpus[name].append(cpu)
    start = statistics.median(walls["cold/python-start"])
    floor = cpus["cold/import-sqlalchemy"]
    targets = {"cold/jobs": 0.4, "cold/explain": 0.5}
    records = []
    for name in commands:
        wall = statistics.median(walls[name])
        rec: dict[str, Any] = {
            "name": name,
            "value": round(wall, 3),
            "unit": "s wall",
            "cpu": round(statistics.median(cpus[name]), 3),
        }
        rec["note"] = f"cpu {rec['cpu']} s; median of {rounds}"
        if name in targets:
            rec["baseline"] = round(start, 3)
            rec["over_sqlalchemy"] = round(statistics.median(c - f for c, f in zip(cpus[name], floor, strict=True)), 3)
            rec["note"] = (
                f"{POSTINGS:,} postings in SQLite; median of {rounds}; cpu {rec['cpu']} s, "
                f"{rec['over_sqlalchemy']} s beyond import sqlalchemy; "
                f"target <= {targets[name]} s; baseline: python -c pass; load average {load_average()}"
            )
        records.append(rec)
    return records
