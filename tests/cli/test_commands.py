"""The jobsift command: help with examples, exit codes, one-line errors, crawl → jobs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from jobsift.cli import main
from tests.support.httpserver import Reply, ScriptedServer

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Django developer</title><link>https://x.test/1</link><guid>g1</guid>
<pubDate>Sun, 01 Nov 2026 10:00:00 +0000</pubDate><description>Build &lt;b&gt;APIs&lt;/b&gt;</description></item>
<item><title>Logo for a bakery</title><link>https://x.test/2?utm_source=rss</link>
<pubDate>Sun, 01 Nov 2026 11:00:00 +0000</pubDate><description>Simple logo</description></item>
</channel></rss>"""


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for name, cmd in group.commands.items():
        path = (*prefix, name)
        if isinstance(cmd, click.Group):
            out += all_commands(cmd, path)
        else:
            out.append(path)
    return out


@pytest.mark.parametrize("path", all_commands(main), ids=" ".join)
def test_every_command_help_shows_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def test_bad_arguments_exit_2_with_one_line() -> None:
    result = CliRunner().invoke(main, ["jobs", "--format", "yaml"])
    assert result.exit_code == 2
    assert "Invalid value" in result.output
    result = CliRunner().invoke(main, ["no-such-command"])
    assert result.exit_code == 2


def test_bad_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    cfg = tmp_path / "j.toml"
    cfg.write_text("[fetch]\nretries = 'lots'\n")
    result = CliRunner().invoke(main, ["--config", str(cfg), "jobs"])
    assert result.exit_code == 2
    assert result.output.strip() == "error: config: fetch.retries: expected an integer, got 'lots'"


def test_help_does_not_load_heavy_libraries() -> None:
    code = (
        "import sys; from jobsift.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('sklearn', 'numpy', 'fastapi', 'playwright', 'matplotlib', 'pyarrow', 'feedparser')"
        " if m in sys.modules]\nprint('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out


def test_init_writes_a_starter_file_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "jobsift.toml"
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--path", str(target)]).exit_code == 0
    assert "[[sources]]" in target.read_text()
    again = runner.invoke(main, ["init", "--path", str(target)])
    assert again.exit_code == 2
    assert "--force" in again.output


def test_crawl_then_jobs_json_has_the_documented_fields(tmp_path: Path, server: ScriptedServer) -> None:
    server.route("/robots.txt", Reply(404))
    server.route("/feed.rss", Reply(200, FEED, {"Content-Type": "application/rss+xml"}))
    cfg = tmp_path / "j.toml"
    cfg.write_text(
        f'[fetch]\nper_host_delay = 0\n[[sources]]\nname = "board"\nformat = "rss"\nurl = "{server.url}/feed.rss"\n'
    )
    db = f"sqlite:///{tmp_path / 'j.db'}"
    runner = CliRunner()
    result = runner.invoke(main, ["--config", str(cfg), "--db", db, "crawl"])
    assert result.exit_code == 0, result.output
    assert "board" in result.output
    assert "2 new" in result.output
    again = runner.invoke(main, ["--config", str(cfg), "--db", db, "crawl"])
    assert again.exit_code == 0
    result = runner.invoke(main, ["--config", str(cfg), "--db", db, "jobs", "--format", "json"])
    rows = json.loads(result.output)
    assert len(rows) == 2
    first = {r["title"]: r for r in rows}["Logo for a bakery"]
    assert first["url"] == "https://x.test/2?utm_source=rss"
    assert first["external_id"] == "https://x.test/2"
    assert {"budget", "client", "quality", "flags", "reasons", "first_seen_at", "competition"} <= set(first)
    assert server.requests[-1].headers["user-agent"].startswith("jobsift/")
    csv_out = runner.invoke(main, ["--config", str(cfg), "--db", db, "jobs", "--format", "csv"]).output
    assert csv_out.splitlines()[0].startswith("id,source,title,url")
    assert len(csv_out.strip().splitlines()) == 3


def test_import_reads_saved_files_offline(tmp_path: Path) -> None:
    feed = tmp_path / "saved.rss"
    feed.write_bytes(FEED)
    db = f"sqlite:///{tmp_path / 'j.db'}"
    result = CliRunner().invoke(main, ["--db", db, "import", str(feed), "--format", "rss", "--source", "archive"])
    assert result.exit_code == 0, result.output
    assert "2 postings, 2 new" in result.output
    rows = json.loads(CliRunner().invoke(main, ["--db", db, "jobs", "--format", "json", "--source", "archive"]).output)
    assert {r["source"] for r in rows} == {"archive"}


def test_unknown_format_is_a_clear_error(tmp_path: Path) -> None:
    feed = tmp_path / "saved.rss"
    feed.write_bytes(FEED)
    db = f"sqlite:///{tmp_path / 'j.db'}"
    result = CliRunner().invoke(main, ["--db", db, "import", str(feed), "--format", "nope"])
    assert result.exit_code == 2
    assert "unknown format 'nope'" in result.output


def test_jobs_takes_the_web_filters_skill_country_and_excluded_words(tmp_path: Path) -> None:
    feed = tmp_path / "skills.rss"
    feed.write_bytes(b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Django API work</title><link>https://x.test/a</link><category>Web</category><category>Python</category>
<description>Paid weekly</description></item>
<item><title>Django test task</title><link>https://x.test/b</link><category>Web</category><category>Python</category>
<description>Unpaid test first</description></item>
<item><title>Logo refresh</title><link>https://x.test/c</link><category>Art</category><category>Design</category>
<description>Paid weekly</description></item>
</channel></rss>""")
    db = f"sqlite:///{tmp_path / 'j.db'}"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "import", str(feed), "--format", "rss"]).exit_code == 0

    def titles(*args: str) -> set[str]:
        result = runner.invoke(main, ["--db", db, "jobs", "--format", "json", *args])
        assert result.exit_code == 0, result.output
        return {r["title"] for r in json.loads(result.output)}

    assert titles("--skill", "python") == {"Django API work", "Django test task"}
    assert titles("--skill", "python", "--exclude-keyword", "unpaid") == {"Django API work"}
    assert titles("-k", "logo,weekly", "--exclude-keyword", "django") == {"Logo refresh"}
    assert titles("--country", "Germany") == set()  # none of them names a country
    warned = runner.invoke(main, ["--db", db, "jobs", "--flag", "ghosts"])
    assert "unknown flag 'ghosts'" in warned.output
