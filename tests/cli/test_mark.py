"""`jobsift mark`, `jobs --new/--saved` and the ledger in `jobsift report`, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from jobsift.cli import main
from jobsift.store.db import open_store
from jobsift.store.schema import applications, labels
from tests.publish.data import seed


def _store(tmp_path: Path) -> tuple[str, dict[str, int]]:
    url = f"sqlite:///{tmp_path / 'j.db'}"
    engine = open_store(url)
    ids = seed(engine)
    engine.dispose()
    return url, ids


def run(db: str, *args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, ["--db", db, *args])
    return r.exit_code, r.output


def test_mark_applied_with_connects_then_hired(tmp_path: Path) -> None:
    db, ids = _store(tmp_path)
    code, out = run(db, "mark", str(ids["a1"]), "applied", "--connects", "16", "--boosted")
    assert code == 0, out
    assert out.strip() == f"job {ids['a1']}: applied, 16 connects, boosted"
    assert run(db, "mark", str(ids["a1"]), "hired")[1].strip() == f"job {ids['a1']}: result: hired"
    engine = open_store(db)
    with engine.connect() as conn:
        row = conn.execute(select(applications)).one()
        got = conn.execute(select(labels.c.label)).scalars().all()
    engine.dispose()
    assert (row.connects, row.boosted, row.result) == (16, True, "hired")
    assert got == ["hired"]


def test_mark_misuse_and_unknown_job(tmp_path: Path) -> None:
    db, ids = _store(tmp_path)
    code, out = run(db, "mark", str(ids["a1"]), "hired", "--connects", "3")
    assert code == 2
    assert "--connects and --boosted go with 'applied'" in out
    code, out = run(db, "mark", "99999", "save")
    assert code == 1
    assert out.strip() == "error: no job with id 99999 (see 'jobsift jobs')"
    code, out = run(db, "mark", str(ids["a1"]), "delete")
    assert code == 2


def test_hidden_and_saved_in_jobs_and_new_since_last_listing(tmp_path: Path) -> None:
    db, ids = _store(tmp_path)
    run(db, "mark", str(ids["a1"]), "save")
    run(db, "mark", str(ids["b1"]), "hide")
    listed = {j["external_id"] for j in json.loads(run(db, "jobs", "--format", "json")[1])}
    assert "b1" not in listed
    assert len(listed) == 7
    saved = json.loads(run(db, "jobs", "--format", "json", "--saved")[1])
    assert [j["external_id"] for j in saved] == ["a1"]
    everything = json.loads(run(db, "jobs", "--format", "json", "--include-hidden")[1])
    assert len(everything) == 8
    r = CliRunner().invoke(main, ["--db", db, "jobs", "--new", "--format", "json"])
    assert json.loads(r.stdout) == []  # the first --new: nothing is new yet
    assert "first 'jobs --new'" in r.output


def test_report_shows_the_ledger(tmp_path: Path) -> None:
    db, ids = _store(tmp_path)
    for ext, connects, result in (("a1", 16, "replied"), ("g3", 24, None), ("a2", 6, "no_reply")):
        run(db, "mark", str(ids[ext]), "applied", "--connects", str(connects))
        if result:
            run(db, "mark", str(ids[ext]), result)
    out_file = tmp_path / "report.html"
    code, out = run(db, "report", "--out", str(out_file))
    assert code == 0, out
    assert "jobs rated 70+: one reply per 40 connects; rated under 40: no reply in 6 connects" in out
    html = out_file.read_text()
    assert "Connects ledger" in html
    assert "one reply per 40 connects" in html
