"""Whole-process timing shared by the benchmarks that start commands (``cold``, ``peer``).

Each command runs as it would once installed: with compiled bytecode. A session may set
``PYTHONDONTWRITEBYTECODE`` (this project's tooling does), and then every run compiles jobsift's
modules from source again (about 0.1 s of CPU for ``jobsift jobs``, 0.5 s for a crawl, which also
compiles the migration scripts), a cost no installed copy pays. So the children get a bytecode cache
of their own (``PYTHONPYCACHEPREFIX`` in the benchmark's temporary folder, filled by the warm-up
round; the checkout is not written to), for both sides of a comparison alike.
"""

from __future__ import annotations

import os
import resource
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a timed command: this checkout first on the path, bytecode cached in ``tmp``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=str(tmp / "pycache"), **extra)
    return env


def timed(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system, the child's own accounting) and stdout of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    return wall, cpu, proc.stdout


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages, for the record (the machine is shared)."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())
