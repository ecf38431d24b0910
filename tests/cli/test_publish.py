"""The publishing commands as a person runs them: serve in a real process, digest dry run, push."""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from jobsift.cli import main
from jobsift.publish.server import free_port
from jobsift.store.schema import digests
from tests.publish.data import seed


def test_serve_starts_answers_and_stops(sqlite_engine: Engine, sqlite_url: str) -> None:
    seed(sqlite_engine)
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from jobsift.cli import main; main()",
            "--db",
            sqlite_url,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.1)
        assert r.json() == {"status": "ok"}
        page = httpx.get(f"http://127.0.0.1:{port}/?f=1&hide=ghost", timeout=5)
        assert "Senior Python developer for a data pipeline" in page.text
        assert "Logo design for a bakery" not in page.text
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert b"jobsift serving on http://127.0.0.1:" in out


def test_digest_dry_run_writes_files_and_records_nothing(
    sqlite_engine: Engine, sqlite_url: str, tmp_path: Path
) -> None:
    seed(sqlite_engine)
    runner = CliRunner()
    for name in ("d.html", "d.txt", "d.eml"):
        r = runner.invoke(
            main, ["--db", sqlite_url, "digest", "--dry-run", "--to", "me@example.test", "--out", str(tmp_path / name)]
        )
        assert r.exit_code == 0, r.output
        assert "dry run: nothing sent" in r.output
    assert "<html" in (tmp_path / "d.html").read_text(encoding="utf-8")
    assert "Senior Python developer" in (tmp_path / "d.txt").read_text(encoding="utf-8")
    msg = email.message_from_bytes((tmp_path / "d.eml").read_bytes(), policy=email.policy.default)
    assert msg["To"] == "me@example.test"
    assert msg.get_content_type() == "multipart/alternative"
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(digests)).scalar() == 0


def test_digest_without_recipients_is_a_usage_error(sqlite_url: str) -> None:
    r = CliRunner().invoke(main, ["--db", sqlite_url, "digest"])
    assert r.exit_code == 2
    assert "no recipients" in r.output


def test_digest_smtp_down_exits_1_with_one_line(sqlite_engine: Engine, sqlite_url: str) -> None:
    seed(sqlite_engine)
    r = CliRunner().invoke(
        main,
        [
            "--db",
            sqlite_url,
            "digest",
            "--to",
            "me@example.test",
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            str(free_port()),
        ],
    )
    assert r.exit_code == 1
    assert "failed" in r.output
    assert "will retry next run" in r.output


def test_push_without_webhooks_says_what_to_configure(sqlite_url: str) -> None:
    r = CliRunner().invoke(main, ["--db", sqlite_url, "push"])
    assert r.exit_code == 2
    assert "[[webhooks]]" in r.output
