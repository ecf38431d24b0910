"""docs/running.md as written: the systemd ExecStart, the cron line and the scale-out commands run."""

from __future__ import annotations

import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from jobsift.store.db import open_store
from tests.scheduling.conftest import ROOT, Proc, serve_feeds, wait_db, write_config
from tests.support.httpserver import ScriptedServer

#: The README once the lead has merged these sections into it, docs/running.md until then.
_README = (ROOT / "README.md").read_text(encoding="utf-8")
DOC = _README if "ExecStart=" in _README else (ROOT / "docs" / "running.md").read_text(encoding="utf-8")
DOC_BIN = "/srv/jobsift/.venv/bin/jobsift"
DOC_CONFIG = "/etc/jobsift/jobsift.toml"
DOC_PG = "postgresql+psycopg://jobsift@db.internal/jobsift"


def localise(command: str, config: Path) -> list[str]:
    """The documented command with this checkout's jobsift and the test's config."""
    args = shlex.split(command.replace(DOC_CONFIG, str(config)))
    assert args[0] in (DOC_BIN, "jobsift")
    return args[1:]


def test_systemd_unit_execstart_runs_the_daemon_and_stops_cleanly_on_its_kill_signal(
    server: ScriptedServer, tmp_path: Path, spawn: Callable[..., Proc]
) -> None:
    unit = re.search(r"```ini\n(.*?)```", DOC, re.S)
    assert unit is not None
    settings = dict(line.split("=", 1) for line in unit.group(1).splitlines() if "=" in line)
    assert settings["KillSignal"] == "SIGTERM"
    assert int(settings["TimeoutStopSec"]) > 10  # the daemon's stated bound
    assert settings["ExecStart"].startswith(DOC_BIN)
    serve_feeds(server, 1)
    cfg = write_config(
        tmp_path / "jobsift.toml", server.url, 1, extra=f'[database]\nurl = "sqlite:///{tmp_path / "jobsift.db"}"'
    )
    daemon = spawn(*localise(settings["ExecStart"], cfg))
    daemon.wait_line(r"source s0: ok 3 items")
    assert daemon.signal(getattr(signal, settings["KillSignal"])) == 0, daemon.output
    assert server.hits("/f/0") == 1


def test_cron_line_runs_a_worker_once_and_logs_to_the_file(server: ScriptedServer, tmp_path: Path) -> None:
    line = re.search(r"```cron\n(.*?)\n```", DOC, re.S)
    assert line is not None
    fields = line.group(1).split(None, 5)
    assert fields[:5] == ["*/15", "*", "*", "*", "*"]
    serve_feeds(server, 2)
    cfg = write_config(
        tmp_path / "jobsift.toml", server.url, 2, extra=f'[database]\nurl = "sqlite:///{tmp_path / "jobsift.db"}"'
    )
    log = tmp_path / "worker.log"
    jobsift = f"{shlex.quote(sys.executable)} -m jobsift"
    command = (
        fields[5]
        .replace(DOC_BIN, jobsift)
        .replace(DOC_CONFIG, str(cfg))
        .replace("/var/log/jobsift-worker.log", str(log))
    )
    for _ in range(2):  # the second cron tick finds nothing due
        subprocess.run(["sh", "-c", command], check=True, cwd=tmp_path, timeout=120)
    text = log.read_text(encoding="utf-8")
    assert "worker done: 2 sources" in text
    assert "worker done: 0 sources" in text
    assert [server.hits("/f/0"), server.hits("/f/1")] == [1, 1]


@pytest.mark.postgres
def test_scale_out_commands_as_written(
    server: ScriptedServer, pg_url: str, tmp_path: Path, spawn: Callable[..., Proc]
) -> None:
    section = DOC[DOC.index("## Running at scale") :]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    commands = [c.replace(DOC_PG, pg_url) for c in block.group(1).strip().splitlines()]
    assert len(commands) == 2
    serve_feeds(server, 3)
    cfg = write_config(tmp_path / "jobsift.toml", server.url, 3)
    upgrade = spawn(*localise(commands[0], cfg))
    assert upgrade.finish() == 0, upgrade.output
    workers = [spawn(*localise(commands[1], cfg)) for _ in range(2)]
    for w in workers:
        w.wait_line("worker .* started")
    engine = open_store(pg_url)
    try:
        wait_db(
            engine, "SELECT count(*) FROM sources WHERE last_outcome = 'ok' AND lease_owner IS NULL", lambda v: v == 3
        )
    finally:
        engine.dispose()
    assert [w.signal(signal.SIGTERM) for w in workers] == [0, 0]
    assert [server.hits(f"/f/{i}") for i in range(3)] == [1, 1, 1]
    assert sum(len(re.findall(r"source s\d: ok", w.output)) for w in workers) == 3
