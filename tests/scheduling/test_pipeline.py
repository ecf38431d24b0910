"""The after-crawl steps run by every caller: a worker scores and pushes to webhooks after its batch."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

from jobsift.store.db import open_store
from tests.publish.receiver import Receiver
from tests.scheduling.conftest import Proc, scalar, serve_feeds, write_config
from tests.support.httpserver import ScriptedServer


def test_a_worker_pushes_new_jobs_to_webhooks_after_its_batch(
    server: ScriptedServer, sqlite_url: str, tmp_path: Path, spawn: Callable[..., Proc]
) -> None:
    receiver = Receiver()
    try:
        serve_feeds(server, 2)
        hook = f'[[webhooks]]\nurl = "{receiver.url}"\nkind = "json"\nmin_quality = 0\n'
        cfg = write_config(tmp_path / "jobsift.toml", server.url, 2, extra=hook)
        open_store(sqlite_url).dispose()
        worker = spawn("--config", str(cfg), "--db", sqlite_url, "worker", "--poll", "0.2")
        worker.wait_line("pushed [0-9]+ jobs to webhooks")
        deadline = time.monotonic() + 60
        while len(receiver.bodies) < 6 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert worker.signal(signal.SIGTERM) == 0, worker.output
        assert sorted(b["job"]["external_id"] for b in receiver.bodies) == sorted(
            f"s{i}-{j}" for i in range(2) for j in range(3)
        )
    finally:
        receiver.close()
    engine = open_store(sqlite_url)
    try:
        assert scalar(engine, "SELECT count(*) FROM webhook_deliveries WHERE status = 'sent'") == 6
        assert scalar(engine, "SELECT count(*) FROM scores") == 6
    finally:
        engine.dispose()
