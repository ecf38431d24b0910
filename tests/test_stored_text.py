"""R37: stored text is printed as text in every command: no markup, no control sequence, no hyperlink.

Titles, company names, reasons and source errors come from feeds anyone can write. Whatever they hold,
each command prints it literally (control characters as visible escapes), never crashes on it, and the
JSON outputs give it back unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, update

from jobsift.cli import main
from jobsift.cli.output import printable
from jobsift.model import Client, Posting
from jobsift.store.db import open_store
from jobsift.store.postings import upsert_postings
from jobsift.store.schema import postings, scores, sources
from jobsift.store.sources import ensure_source
from tests.publish.data import reason, write_score
from tests.support.httpserver import Reply, ScriptedServer

PAYLOADS = (
    "[/x]",
    "[link=https://evil.test/]click me[/link]",
    "[bold red]",
    "[/]",
    "[",
    "]",
    "\\[b]",
    ":smile:",
    "\x1b[2J",
    "\x1b]8;;https://evil.test/\x1b\\here\x1b]8;;\x1b\\",
    "\x1b]0;pwned\x07",
    "\r",
    "\r\n",
    "\n",
    "\x9b31m",
    "\x9d8;;https://evil.test/\x9c",
    "\u202e",
    "\u2028",
    "\x00",
    "\x07",
    "\x08",
    "\x7f",
    "\t",
    "%s {0}",
)
WORDS = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs", "Cc")), max_size=8)
HOSTILE = (
    st.lists(st.one_of(st.sampled_from(PAYLOADS), WORDS), min_size=1, max_size=6)
    .map("".join)
    .filter(lambda s: printable(s).strip() != "")
)
# After Rich's own colour codes are removed, nothing that steers a terminal may remain.
SGR = re.compile(r"\x1b\[[0-9;]*m")
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine, int]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('r37') / 'jobsift.db'}"
    engine = open_store(url)
    p = Posting(
        source="alpha",
        external_id="x1",
        url="https://alpha.test/x1",
        title="t",
        description_text="d",
        posted_at=NOW,
        client=Client(key="c1", name="c", jobs_posted=40, jobs_with_hires=0),
    )
    with engine.begin() as conn:
        upsert_postings(conn, "alpha", [p], NOW)
        pid = conn.execute(select(postings.c.id)).scalar_one()
        write_score(conn, pid, 20.0, ["ghost"], NOW)
        ensure_source(conn, "alpha", "rss", "https://alpha.test/feed")
    try:
        yield url, engine, pid
    finally:
        engine.dispose()


def store_hostile(engine: Engine, pid: int, title: str, error: str, why: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(postings).where(postings.c.id == pid).values(title=title, company=title))
        conn.execute(
            update(scores)
            .where(scores.c.posting_id == pid)
            .values(reasons=[reason("ghost_hire_rate", why, "ghost", -30)])
        )
        conn.execute(update(sources).where(sources.c.name == "alpha").values(last_error=error, last_outcome="failed"))


def run(*args: str) -> str:
    """The command's output on a wide terminal (so nothing wraps), colour codes removed."""
    result = CliRunner().invoke(main, list(args), env={"COLUMNS": "3000", "TTY_COMPATIBLE": "1", "FORCE_COLOR": None})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output
    out = SGR.sub("", result.output)
    assert "\x1b" not in out, ascii(out)
    assert not RAW_CONTROL.search(out), ascii(out)
    return out


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=HOSTILE, error=HOSTILE, why=HOSTILE)
@example(title="Senior Dev [/x] role", error="[bold]boom[/", why="[link=https://evil.test/]x[/link]")
@example(title="\x1b]8;;https://evil.test/\x1b\\Senior Dev\x1b]8;;\x1b\\", error="\r\x1b[2Jok", why="\x9b2J")
def test_every_command_prints_stored_text_literally(
    store: tuple[str, Engine, int], title: str, error: str, why: str
) -> None:
    url, engine, pid = store
    store_hostile(engine, pid, title, error, why)
    shown_title, shown_error, shown_why = (printable(v).strip() for v in (title, error, why))

    out = run("--db", url, "jobs")
    assert shown_title in out
    assert shown_why in out
    out = run("--db", url, "explain", str(pid))
    assert shown_title in out
    assert shown_why in out
    out = run("--db", url, "query", "SELECT title, company FROM jobs")
    assert shown_title in out
    out = run("--db", url, "sources", "list")
    assert shown_error in out
    run("--db", url, "digest", "--dry-run", "--to", "me@example.com")

    assert json.loads(run("--db", url, "jobs", "--format", "json"))[0]["title"] == title
    assert json.loads(run("--db", url, "query", "SELECT title FROM jobs", "--format", "json"))[0]["title"] == title
    listed = json.loads(run("--db", url, "sources", "list", "--json"))
    assert [s["last_error"] for s in listed] == [error]
    assert json.loads(run("--db", url, "explain", str(pid), "--json"))["title"] == title


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x1b[31mb", "a\\x1b[31mb"),
        ("x\ry", "x\\ry"),
        ("\x9b", "\\x9b"),
        ("l\u202er", "l\\u202er"),
        ("[/x] [link=u]t[/link]", "[/x] [link=u]t[/link]"),
        ("tab\there", "tab\\there"),
        (None, ""),
        (3.5, "3.5"),
    ],
)
def test_printable_shows_controls_as_escapes(raw: object, shown: str) -> None:
    assert printable(raw) == shown


FETCHED_TITLE = "Dev \x1b]8;;https://evil.test/\x1b\\click\x1b]8;;\x1b\\ [/x] [link=https://evil.test/]here[/link]\r"


def test_fetched_text_is_inert_in_sources_test_crawl_and_jobs(tmp_path: Path, server: ScriptedServer) -> None:
    """Text straight from a feed (not stored yet) is held to the same rule: `sources test`, `crawl`."""
    body = json.dumps(
        [
            {"legal": "x"},
            {
                "id": "1",
                "epoch": 1741080000,
                "position": FETCHED_TITLE,
                "company": "[bold]Acme[/bold]",
                "url": "https://remoteok.test/1",
            },
        ]
    )
    server.route("/robots.txt", Reply(404))
    server.route("/api", Reply(200, body.encode(), {"Content-Type": "application/json"}))
    cfg = tmp_path / "j.toml"
    cfg.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "j.db"}"\n[fetch]\nper_host_delay = 0\n'
        f'[[sources]]\nname = "board"\nformat = "remoteok"\nurl = "{server.url}/api"\n'
    )
    out = run("--config", str(cfg), "sources", "test", "board")
    assert "[/x] [link=https://evil.test/]" in out
    run("--config", str(cfg), "crawl")
    out = run("--config", str(cfg), "jobs")
    assert "[/x] [link=https://evil.test/]here[/link]" in out
