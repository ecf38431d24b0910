"""The cold path: read commands import no heavy library, and an up-to-date store never loads Alembic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from jobsift.scoring.score import score_pending
from jobsift.store.db import head_revision, open_store, script_head, stored_revision
from jobsift.store.schema import postings
from tests.scoring.factory import BAD_CLIENT, T0, config, posting, store

#: Never imported by the read commands (each costs 0.3-2 s of imports on this project's machines).
HEAVY = ("sklearn", "scipy", "matplotlib", "playwright", "uvicorn", "joblib")
#: Also absent when the store is already at the head revision.
MIGRATION_ONLY = ("alembic",)
#: Not needed to list, query or feed stored postings (no model, no fetching): ``explain`` alone
#: re-runs the text model, which needs numpy.
LISTING_FREE = ("numpy", "httpx")

RUNNER = """
import atexit, json, runpy, sys
out = sys.argv[1]
loaded = lambda: sorted(m for m, v in list(sys.modules.items()) if v is not None)  # None: blocked
atexit.register(lambda: open(out, "w").write(json.dumps(loaded())))
sys.argv = ["jobsift", *sys.argv[2:]]
runpy.run_module("jobsift", run_name="__main__")
"""


@pytest.fixture(scope="module")
def scored_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int]:
    path = tmp_path_factory.mktemp("cold") / "jobs.db"
    url = f"sqlite:///{path}"
    engine = open_store(url)
    store(engine, [posting("bad", client=BAD_CLIENT, description="Contact me on WhatsApp. " * 10), posting("ok")])
    score_pending(engine, config(url), now=T0)
    with engine.connect() as conn:
        pid = conn.execute(select(postings.c.id).where(postings.c.external_id == "bad")).scalar_one()
    engine.dispose()
    return url, pid


def _loaded(tmp_path: Path, args: list[str]) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """Every module (dotted name) a real ``jobsift ARGS`` process has loaded when it exits."""
    out = tmp_path / "modules.json"
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, str(out), *args], capture_output=True, text=True, timeout=120, check=False
    )
    return set(json.loads(out.read_text())), proc


def _modules(tmp_path: Path, args: list[str]) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """The top-level packages of ``_loaded``."""
    loaded, proc = _loaded(tmp_path, args)
    return {m.split(".")[0] for m in loaded}, proc


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["jobs"],
        ["jobs", "--format", "json"],
        ["explain", "{id}", "--json"],
        ["explain", "{id}"],
        ["query", "SELECT count(*) AS n FROM postings"],
        ["feed", "--out", "{tmp}/feed.xml"],
    ],
    ids=["help", "jobs", "jobs-json", "explain-json", "explain", "query", "feed"],
)
def test_read_commands_import_no_heavy_library(args: list[str], scored_store: tuple[str, int], tmp_path: Path) -> None:
    url, pid = scored_store
    argv = ["--db", url, *(a.format(id=pid, tmp=tmp_path) for a in args)]
    modules, proc = _modules(tmp_path, argv)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout or args[0] == "feed"
    loaded = sorted(m for m in (*HEAVY, *MIGRATION_ONLY) if m in modules)
    assert loaded == [], f"jobsift {' '.join(args)} imported {loaded}"
    if args[0] != "explain":
        loaded = sorted(m for m in LISTING_FREE if m in modules)
        assert loaded == [], f"jobsift {' '.join(args)} imported {loaded}"
    assert "jobsift" in modules


#: Not loaded by ``jobs`` or ``explain`` on a SQLite store: each cost their start-up time and neither uses it.
SQLITE_UNUSED = ("sqlalchemy.dialects.postgresql",)  # 60 ms: the partial index's dialect option loaded it
#: Not loaded by the listing either: ``explain`` recomputes the score, so it needs the flags' rules.
LISTING_UNUSED = (
    "jobsift.scoring.flags.ghost",  # the flag registry scan (~30 ms): only for a config or filter naming a flag
    "jobsift.scoring.rules",
    "jobsift.publish.channels",  # the channel registry: only for a config with [[webhooks]]
)


@pytest.mark.parametrize(
    ("args", "unused"),
    [
        (["jobs"], SQLITE_UNUSED + LISTING_UNUSED),
        (["jobs", "--format", "csv"], SQLITE_UNUSED + LISTING_UNUSED),
        (["explain", "{id}"], SQLITE_UNUSED),
    ],
    ids=["jobs", "jobs-csv", "explain"],
)
def test_listing_and_explain_on_sqlite_load_only_what_they_use(
    args: list[str], unused: tuple[str, ...], scored_store: tuple[str, int], tmp_path: Path
) -> None:
    url, pid = scored_store
    loaded, proc = _loaded(tmp_path, ["--db", url, *(a.format(id=pid) for a in args)])
    assert proc.returncode == 0, proc.stderr
    assert "jobsift.store.schema" in loaded
    assert sorted(m for m in unused if m in loaded) == []


@pytest.mark.parametrize(
    ("toml", "error"),
    [
        ('[filters]\nexclude_flags = ["nope"]\n', "filters.exclude_flags: unknown flag 'nope'"),
        ('[[webhooks]]\nkind = "fax"\nurl = "https://x.test/h"\n', "webhooks[0].kind: 'fax' is not"),
    ],
    ids=["flag", "webhook"],
)
def test_the_registries_still_check_a_config_that_names_them(
    toml: str, error: str, scored_store: tuple[str, int], tmp_path: Path
) -> None:
    config = tmp_path / "jobsift.toml"
    config.write_text(toml)
    proc = subprocess.run(
        [sys.executable, "-m", "jobsift", "--config", str(config), "--db", scored_store[0], "jobs"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert error in proc.stderr


GC_RUNNER = """
import atexit, gc, json, runpy, sys
out = sys.argv[1]
full = []
gc.callbacks.append(lambda phase, info: full.append(1) if phase == "stop" and info["generation"] == 2 else None)
default = gc.get_threshold()
state = lambda: {"full": len(full), "frozen": gc.get_freeze_count(), "restored": gc.get_threshold() == default}
atexit.register(lambda: open(out, "w").write(json.dumps(state())))
sys.argv = ["jobsift", *sys.argv[2:]]
runpy.run_module("jobsift", run_name="__main__")
"""


@pytest.mark.parametrize("args", [["jobs"], ["explain", "{id}"]], ids=["jobs", "explain"])
def test_starting_a_command_runs_no_full_collection(
    args: list[str], scored_store: tuple[str, int], tmp_path: Path
) -> None:
    """What a command imports lives until exit: the start-up walks it with no full pass of the cycle
    collector, then freezes it and gives the thresholds back (jobsift.cli.startup)."""
    url, pid = scored_store
    out = tmp_path / "gc.json"
    argv = ["--db", url, *(a.format(id=pid) for a in args)]
    proc = subprocess.run(
        [sys.executable, "-c", GC_RUNNER, str(out), *argv], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    state = json.loads(out.read_text())
    assert state["full"] == 0
    assert state["restored"]
    assert state["frozen"] > 50_000  # the imported modules' objects


def test_a_created_store_keeps_the_partial_unique_index(db_url: str) -> None:
    """The WHERE of ``uq_scores_one_latest`` is set at CREATE time, not declared: both backends still get it."""
    from sqlalchemy import text

    from jobsift.store.db import make_engine
    from jobsift.store.schema import create_all

    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            create_all(conn)
            if engine.dialect.name == "sqlite":
                sql = "SELECT sql FROM sqlite_master WHERE name = 'uq_scores_one_latest'"
            else:
                sql = "SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_scores_one_latest'"
            definition = conn.execute(text(sql)).scalar_one()
    finally:
        engine.dispose()
    assert "UNIQUE INDEX uq_scores_one_latest ON" in definition
    assert definition.replace("public.", "").replace(" USING btree", "").endswith("scores (posting_id) WHERE is_latest")


def test_an_out_of_date_store_is_still_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    from alembic import command

    from jobsift.store.db import alembic_config, make_engine

    engine = make_engine(url)
    command.upgrade(alembic_config(engine), "0002")  # a store left by an older release
    assert stored_revision(engine) == "0002"
    engine.dispose()
    modules, proc = _modules(tmp_path, ["--db", url, "jobs"])
    assert proc.returncode == 0, proc.stderr
    assert "alembic" in modules
    engine = open_store(url)
    assert stored_revision(engine) == head_revision()
    engine.dispose()


def test_the_head_read_from_the_files_is_alembics_head() -> None:
    assert script_head() == head_revision()


def test_a_fresh_file_has_no_stored_revision(tmp_path: Path) -> None:
    from jobsift.store.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert stored_revision(engine) is None
    engine.dispose()


def test_the_fetcher_does_not_load_httpxs_command_line_tool() -> None:
    """httpx's init imports its CLI (Rich, Pygments, click) when they are installed; jobsift blocks that."""
    code = (
        "import json, sys; import jobsift.crawler.fetch, httpx; "
        "print(json.dumps([sorted(m.split('.')[0] for m in sys.modules if sys.modules[m] is not None), "
        "httpx.Client is not None]))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    modules, has_client = json.loads(proc.stdout)
    assert has_client
    assert "httpx" in modules
    assert [m for m in ("rich", "pygments") if m in modules] == []
