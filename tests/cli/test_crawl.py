"""Source health through the CLI: `jobsift crawl` lines and `jobsift sources list`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from jobsift.cli import main
from tests.support.crawling import RSS_HEADERS, rss
from tests.support.httpserver import Reply, ScriptedServer


def write_config(path: Path, base: str, db: Path) -> None:
    path.write_text(
        f"""[database]
url = "sqlite:///{db}"

[fetch]
read_timeout = 2
retries = 2
backoff_base = 0.001
backoff_max = 0.002
per_host_delay = 0

[[sources]]
name = "good"
format = "rss"
url = "{base}/good"

[[sources]]
name = "broken"
format = "rss"
url = "{base}/broken"
""",
        encoding="utf-8",
    )


def test_crawl_prints_one_line_per_source_and_sources_list_shows_health(server: ScriptedServer, tmp_path: Path) -> None:
    server.route("/good", Reply(200, rss(4), RSS_HEADERS))
    server.route("/broken", Reply(503, b"down"))
    cfg = tmp_path / "jobsift.toml"
    write_config(cfg, server.url, tmp_path / "j.db")
    runner = CliRunner()
    result = runner.invoke(main, ["--config", str(cfg), "crawl", "--no-score"])
    assert result.exit_code == 1, result.output  # some sources failed: partial
    lines = {ln.split()[0]: ln for ln in result.output.splitlines() if ln and not ln.startswith("run ")}
    assert "ok" in lines["good"]
    assert "4 items" in lines["good"]
    assert "failed" in lines["broken"]
    assert "http_503" in lines["broken"]
    # An ftp:// source no longer reaches the crawl: it is a config error at load (tests/config/test_r36.py).
    assert server.hits("/broken") == 2

    listed = runner.invoke(main, ["--config", str(cfg), "sources", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = {r["name"]: r for r in json.loads(listed.output)}
    assert rows["good"]["last_outcome"] == "ok"
    assert rows["good"]["last_items"] == 4
    assert rows["good"]["last_success_at"]
    assert not rows["good"]["last_error"]
    assert rows["good"]["postings"] == 4
    assert rows["broken"]["last_outcome"] == "failed"
    assert rows["broken"]["last_success_at"] is None
    assert "http_503" in rows["broken"]["last_error"]
    assert rows["broken"]["consecutive_failures"] == 1

    table = runner.invoke(main, ["--config", str(cfg), "sources", "list"])
    assert table.exit_code == 0
    assert "good" in table.output
    assert "failed" in table.output
    assert "http_503" in table.output
