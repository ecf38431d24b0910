"""``-v`` is jobsift's own details; libraries' INFO lines (Alembic's migration chatter) need ``-vv``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def stderr_of(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "jobsift", *args], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr


def test_v_shows_jobsift_details_not_alembic(tmp_path: Path) -> None:
    err = stderr_of("-v", "--db", f"sqlite:///{tmp_path / 'v.db'}", "db", "upgrade")
    quiet = stderr_of("--db", f"sqlite:///{tmp_path / 'q.db'}", "db", "upgrade")
    assert "alembic" not in err
    assert "INFO" not in quiet
    feed = tmp_path / "f.rss"
    feed.write_text(
        "<rss><channel><item><title>a</title><link>https://x.test/1</link></item></channel></rss>", encoding="utf-8"
    )
    err = stderr_of("-v", "--db", f"sqlite:///{tmp_path / 'i.db'}", "import", str(feed), "--format", "rss")
    assert "INFO jobsift.store.db: created database" in err  # a new store: created and stamped
    assert "alembic" not in err


def test_vv_adds_the_libraries_debug_logs(tmp_path: Path) -> None:
    err = stderr_of("-vv", "--db", f"sqlite:///{tmp_path / 'vv.db'}", "db", "upgrade")
    assert "INFO alembic.runtime.migration" in err
