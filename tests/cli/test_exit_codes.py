"""The documented exit codes (docs/running.md#exit-codes) and their one-line errors, as a person meets
them: stores that are not there or not stores, unknown ids, a refused host, a busy port (issue 14)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from jobsift.cli import main
from jobsift.publish.server import free_port
from tests.support.crawling import RSS_HEADERS, rss
from tests.support.httpserver import Reply, ScriptedServer

README = Path(__file__).resolve().parents[2] / "README.md"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def one_error_line(r: Result) -> str:
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1, r.output
    assert lines[0].startswith("error: "), r.output
    assert "Traceback" not in r.output
    return lines[0]


# --- databases -------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["jobs"], ["score"], ["db", "upgrade"]])
def test_a_file_that_is_not_a_database_is_one_line_exit_2(tmp_path: Path, command: list[str]) -> None:
    not_db = tmp_path / "README.md"
    not_db.write_text("# not a database\n" * 50, encoding="utf-8")
    r = run("--db", f"sqlite:///{not_db}", *command)
    assert r.exit_code == 2, r.output
    assert "not name a jobsift store" in one_error_line(r)
    assert not_db.read_text(encoding="utf-8").startswith("# not a database")


@pytest.mark.parametrize("command", [["jobs"], ["db", "upgrade"], ["import", "--format", "rss"]])
def test_a_path_where_no_store_can_be_is_one_line_exit_2(tmp_path: Path, command: list[str]) -> None:
    feed = tmp_path / "f.rss"
    feed.write_bytes(rss(1))
    args = [*command, str(feed)] if command[0] == "import" else command
    r = run("--db", "sqlite:////proc/nope/x.db", *args)
    assert r.exit_code == 2, r.output
    assert "/proc/nope" in one_error_line(r)


@pytest.mark.parametrize("url", ["notaurl", "mysql://u@h/db", "://nohost"])
def test_a_malformed_or_unsupported_url_is_one_line_exit_2(url: str) -> None:
    r = run("--db", url, "jobs")
    assert r.exit_code == 2, r.output
    one_error_line(r)


READERS = [
    ["jobs"],
    ["explain", "1"],
    ["query", "SELECT 1"],
    ["export", "--out", "{tmp}/x.csv"],
    ["feed", "--out", "{tmp}/x.xml"],
    ["report", "--out", "{tmp}/r.html"],
    ["serve", "--port", "{port}"],
    ["label", "1", "ghost"],
    ["train"],  # learns from the store's outcomes and labels: nothing to learn from a store that is not there
    ["evaluate", "--outcomes"],
]


@pytest.mark.parametrize("command", READERS, ids=lambda c: c[0])
def test_read_commands_never_create_a_store(tmp_path: Path, command: list[str]) -> None:
    where = tmp_path / "not" / "here" / "jobsift.db"
    args = [a.format(tmp=tmp_path, port=free_port()) for a in command]
    r = run("--db", f"sqlite:///{where}", *args)
    assert r.exit_code == 2, r.output
    line = one_error_line(r)
    assert f"no jobsift store at {where}" in line
    assert "jobsift crawl" in line  # how to create one
    assert not (tmp_path / "not").exists()


@pytest.mark.parametrize("command", [["db", "upgrade"], ["import", "--format", "rss", "--no-score"]])
def test_write_commands_still_create_the_store(tmp_path: Path, command: list[str]) -> None:
    where = tmp_path / "new" / "jobsift.db"
    feed = tmp_path / "f.rss"
    feed.write_bytes(rss(2))
    args = [*command, str(feed)] if command[0] == "import" else command
    r = run("--db", f"sqlite:///{where}", *args)
    assert r.exit_code == 0, r.output
    assert where.is_file()
    listed = run("--db", f"sqlite:///{where}", "jobs", "--format", "json")
    assert listed.exit_code == 0, listed.output


# --- unknown ids ---------------------------------------------------------------------------


def test_label_and_explain_of_an_unknown_id_agree(sqlite_url: str) -> None:
    assert run("--db", sqlite_url, "db", "upgrade").exit_code == 0
    got = [run("--db", sqlite_url, *c) for c in (["label", "9999", "ghost"], ["explain", "9999"])]
    assert [r.exit_code for r in got] == [2, 2]
    assert [one_error_line(r) for r in got] == ["error: no posting with id 9999"] * 2


# --- crawl outcomes ------------------------------------------------------------------------


def crawl_config(tmp_path: Path, sources: dict[str, str]) -> Path:
    cfg = tmp_path / "jobsift.toml"
    text = (
        f'[database]\nurl = "sqlite:///{tmp_path / "j.db"}"\n\n[fetch]\nretries = 2\nbackoff_base = 0.001\n'
        "backoff_max = 0.002\nper_host_delay = 0\nconnect_timeout = 2\nread_timeout = 2\n"
    )
    for name, url in sources.items():
        text += f'\n[[sources]]\nname = "{name}"\nformat = "rss"\nurl = "{url}"\n'
    cfg.write_text(text, encoding="utf-8")
    return cfg


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed: the kernel refuses connections)."""
    return free_port()


def test_a_refused_host_is_failed_connection_refused_said_once(tmp_path: Path, server: ScriptedServer) -> None:
    server.route("/robots.txt", Reply(404))
    server.route("/good", Reply(200, rss(3), RSS_HEADERS))
    port = closed_port()
    cfg = crawl_config(tmp_path, {"good": server.url + "/good", "down": f"http://127.0.0.1:{port}/feed.rss"})
    r = run("--config", str(cfg), "crawl", "--no-score")
    assert r.exit_code == 1, r.output  # some sources failed: partial
    rows = {ln.split()[0]: ln for ln in r.output.splitlines() if ln.strip()}
    assert rows["down"].split()[1] == "failed"
    assert f"connection refused by 127.0.0.1:{port}" in rows["down"]
    assert "robots_unavailable" not in r.output
    assert r.output.count("connection refused") == 1, r.output  # once: no WARNING line repeating the row
    assert "WARNING" not in r.output


def test_a_host_that_answers_but_not_for_robots_is_still_deferred(tmp_path: Path, server: ScriptedServer) -> None:
    server.route("/robots.txt", Reply(503, b"down"))
    server.route("/feed", Reply(200, rss(1), RSS_HEADERS))
    cfg = crawl_config(tmp_path, {"flaky": server.url + "/feed"})
    r = run("--config", str(cfg), "crawl", "--no-score")
    assert r.exit_code == 1, r.output
    assert "deferred" in r.output
    assert "robots_unavailable" in r.output


def test_crawl_exit_0_when_every_source_is_ok_or_not_modified(tmp_path: Path, server: ScriptedServer) -> None:
    server.route("/robots.txt", Reply(404))
    server.route("/a", Reply(200, rss(2), {**RSS_HEADERS, "ETag": '"v1"'}))
    cfg = crawl_config(tmp_path, {"a": server.url + "/a"})
    assert run("--config", str(cfg), "crawl", "--no-score").exit_code == 0
    server.route("/a", Reply(304, b"", {"ETag": '"v1"'}))
    again = run("--config", str(cfg), "crawl", "--no-score")
    assert again.exit_code == 0, again.output
    assert "not_modified" in again.output


def test_crawl_exit_1_when_every_source_failed(tmp_path: Path) -> None:
    cfg = crawl_config(tmp_path, {"down": f"http://127.0.0.1:{closed_port()}/feed.rss"})
    r = run("--config", str(cfg), "crawl", "--no-score")
    assert r.exit_code == 1, r.output


# --- serve -----------------------------------------------------------------------------------


def test_serve_on_a_busy_port_says_so_in_one_line_exit_1(sqlite_url: str) -> None:
    assert run("--db", sqlite_url, "db", "upgrade").exit_code == 0
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "jobsift", "--db", sqlite_url, "serve", "--host", "127.0.0.1", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 1, proc.stderr
    assert "serving" not in proc.stdout
    assert (
        proc.stderr.strip() == f"error: port {port} on 127.0.0.1 is already in use: stop the program using it "
        "or pick another with --port"
    )


# --- the table -------------------------------------------------------------------------------


def test_exit_codes_are_documented_in_one_table_linked_from_the_readme() -> None:
    running = (README.parent / "docs" / "running.md").read_text(encoding="utf-8")
    assert "## Exit codes" in running
    table = running.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    for code in ("| 0 |", "| 1 |", "| 2 |"):
        assert code in table
    assert "docs/running.md#exit-codes" in README.read_text(encoding="utf-8")


LEDGER_WRITERS = [["digest", "--to", "me@example.test"], ["digest", "--dry-run"], ["push"], ["sources", "list"]]


@pytest.mark.parametrize("command", LEDGER_WRITERS, ids=" ".join)
def test_digest_push_and_sources_list_never_create_a_store(tmp_path: Path, command: list[str]) -> None:
    cfg = tmp_path / "jobsift.toml"
    cfg.write_text(
        '[digest]\nrecipients = ["me@example.test"]\n\n[[webhooks]]\nurl = "http://127.0.0.1:9/hook"\n',
        encoding="utf-8",
    )
    where = tmp_path / "not" / "here" / "jobsift.db"
    r = run("--config", str(cfg), "--db", f"sqlite:///{where}", *command)
    assert r.exit_code == 2, r.output
    assert f"no jobsift store at {where}" in one_error_line(r)
    assert not (tmp_path / "not").exists()


def test_an_import_where_some_files_fail_is_partial_exit_1(tmp_path: Path) -> None:
    good, big = tmp_path / "good.rss", tmp_path / "big.rss"
    good.write_bytes(rss(2))
    big.write_bytes(rss(200))
    cfg = tmp_path / "jobsift.toml"
    cfg.write_text(f"[fetch]\nmax_bytes = {len(rss(2)) + 100}\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'j.db'}"
    r = run("--config", str(cfg), "--db", db, "import", str(good), str(big), "--format", "rss", "--no-score")
    assert r.exit_code == 1, r.output
    warnings = [ln for ln in r.output.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 1
    assert str(big) in warnings[0]
    assert "2 postings, 2 new" in r.output  # the readable file is stored
    everything = run("--config", str(cfg), "--db", db, "import", str(good), "--format", "rss", "--no-score")
    assert everything.exit_code == 0, everything.output
