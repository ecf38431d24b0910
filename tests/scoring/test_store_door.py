"""Scoring reaches its tables only through the store, and what the store hands it is typed and frozen."""

from __future__ import annotations

import ast
import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from jobsift.cli import main
from jobsift.store.labels import add_user_label, all_labels, unscored_label_count
from jobsift.store.outcomes import outcome_status
from jobsift.store.pending import COLUMNS, clients_for_scoring, pending_ids, postings_for_scoring, sighting_counts
from jobsift.store.records import Budget, ClientSummary, Competition
from jobsift.store.schema import clients, postings, scores
from jobsift.store.scores import first_score_features, latest_score
from jobsift.store.scoring_records import ClientForScoring, PostingForScoring, StoredScore
from tests.scoring.factory import BAD_CLIENT, T0, config, posting, store

ROOT = Path(__file__).resolve().parents[2]
#: The scoring side of the store door (issue 12 item 1): no SQLAlchemy statements, no store.schema.
DOOR_CALLERS = [
    *sorted((ROOT / "jobsift" / "scoring").rglob("*.py")),
    ROOT / "jobsift" / "cli" / "scoring.py",
    ROOT / "jobsift" / "cli" / "training.py",
    ROOT / "jobsift" / "cli" / "outcomes.py",
]


@pytest.mark.parametrize("path", DOOR_CALLERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_scoring_modules_hold_no_sql_and_never_import_the_schema(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported += [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            imported += [a.name for a in node.names]
    assert not [m for m in imported if m.startswith("jobsift.store.schema")]
    # A Connection or Engine may be passed through; statements and the raw cursor may not.
    allowed = {"sqlalchemy.Connection", "sqlalchemy.Engine", "sqlalchemy.engine.make_url"}
    assert not [m for m in imported if m.startswith("sqlalchemy") and m not in allowed]
    assert "conn.connection.cursor" not in path.read_text(encoding="utf-8")


def test_the_scoring_record_carries_every_column_scoring_reads() -> None:
    """A new postings column reaches scoring (or is left out here on purpose, like the raw item)."""
    flat = {f.name for f in dataclasses.fields(PostingForScoring)} - {"budget", "competition"}
    flat |= {f"budget_{f.name}" for f in dataclasses.fields(Budget)}
    flat |= {f.name for f in dataclasses.fields(Competition)}
    assert flat == {c.name for c in COLUMNS}
    client = {f.name for f in dataclasses.fields(ClientSummary)} | {"id", "stats_hash"}
    assert client == {c.name for c in clients.c} - {"source", "client_key", "first_seen_at", "updated_at"}


def test_a_name_that_is_no_postings_column_is_refused_not_read_as_unknown() -> None:
    with pytest.raises(TypeError, match="budget_maximum"):
        PostingForScoring.from_mapping({"title": "t", "budget_maximum": 5.0})
    p = PostingForScoring.from_mapping({"budget_kind": "fixed", "budget_max": 50.0, "proposals": 3})
    assert (p.budget.kind, p.budget_figure, p.competition.proposals, p.competition.hires) == ("fixed", 50.0, 3, None)


def test_records_are_frozen() -> None:
    p = PostingForScoring(id=1, title="t", skills=["a", "b"])  # type: ignore[arg-type]
    assert p.skills == ("a", "b")  # the store's JSON list, as an immutable tuple
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.title = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ClientForScoring.from_mapping({"id": 1}).stats.hire_rate = 0.5  # type: ignore[misc]
    assert not hasattr(p, "__dict__")  # slots


@pytest.mark.parametrize(
    ("budget", "figure"),
    [
        ({"budget_max_usd": 90.0, "budget_max": 100.0, "budget_currency": "EUR"}, 90.0),
        ({"budget_max": 5000.0, "budget_currency": None}, 5000.0),  # no currency stated: dollars
        ({"budget_max": 100.0, "budget_currency": "EUR"}, None),  # unconverted: not a market figure
        ({"budget_min": 0.0}, None),
    ],
)
def test_the_record_gives_the_one_budget_figure(budget: dict[str, object], figure: float | None) -> None:
    from jobsift.store.budget_figure import budget_figure

    assert PostingForScoring.from_mapping(budget).budget_figure == figure == budget_figure(budget)


def test_the_store_reads_for_scoring_on_both_backends(engine: Engine) -> None:
    from jobsift.scoring.score import score_pending

    store(engine, [posting("a", client=BAD_CLIENT, skills=("Shopify", "Liquid")), posting("b")])
    with engine.connect() as conn:
        ids = pending_ids(conn)
        assert len(ids) == 2
        assert ids == sorted(ids)
        rows = postings_for_scoring(conn, [*ids, 999_999])
        assert set(rows) == set(ids)
        a = next(r for r in rows.values() if r.external_id == "a")
        assert isinstance(a, PostingForScoring)
        assert a.skills == ("Shopify", "Liquid")
        assert a.first_seen_at is not None
        assert a.first_seen_at.tzinfo is not None
        assert a.budget_figure == 400.0
        assert a.client_id is not None
        by_id = clients_for_scoring(conn, [a.client_id, a.client_id])
        assert list(by_id) == [a.client_id]
        assert (by_id[a.client_id].stats.name, by_id[a.client_id].stats.payment_verified) == ("Never Hires Ltd", False)
        assert by_id[a.client_id].stats_hash
        assert sighting_counts(conn, ids) == dict.fromkeys(ids, 1)
        assert latest_score(conn, a.id) is None
    report = score_pending(engine, config(engine.url.render_as_string(hide_password=False)), now=T0)
    assert report.scored == 2
    with engine.connect() as conn:
        assert pending_ids(conn) == []
        assert pending_ids(conn, rescore_all=True) == ids
        stored = latest_score(conn, a.id)
        assert isinstance(stored, StoredScore)
        assert "payment_unverified" in stored.flags
        assert isinstance(stored.flags, tuple)
        assert stored.features is not None
        assert stored.features["client_hire_rate"] == 0.0
        first = first_score_features(conn)
        assert set(first) == set(ids)
        assert first[a.id][1] == a.client_id


def test_labels_through_the_store_on_both_backends(engine: Engine) -> None:
    from jobsift.errors import NotFoundError

    store(engine, [posting("a"), posting("b")])
    with engine.begin() as conn:
        a, b = (int(r[0]) for r in conn.execute(select(postings.c.id).order_by(postings.c.external_id)))
        assert add_user_label(conn, a, "ghost", "never replied", T0) == 1
        assert add_user_label(conn, a, "ok", None, T0 + timedelta(hours=1)) == 2
        with pytest.raises(NotFoundError, match="no posting with id 999999"):
            add_user_label(conn, 999_999, "ok", None, T0)
        assert [(x.posting_id, x.label, x.origin) for x in all_labels(conn)] == [
            (a, "ghost", "user"),
            (a, "ok", "user"),
        ]
        assert unscored_label_count(conn) == 1
        assert conn.execute(select(scores.c.id)).first() is None
        status = outcome_status(conn, b)
        assert status is not None
        assert (status.outcome, status.checks, status.next_check_at) == ("open", 0, None)
        assert outcome_status(conn, 999_999) is None


def test_score_on_a_path_with_no_store_is_one_line_exit_2_and_creates_nothing(tmp_path: Path) -> None:
    where = tmp_path / "not" / "here" / "jobsift.db"
    for args in (["score"], ["score", "--all", "--json"]):
        r = CliRunner().invoke(main, ["--db", f"sqlite:///{where}", *args])
        assert r.exit_code == 2, r.output
        lines = [ln for ln in r.output.splitlines() if ln.strip()]
        assert len(lines) == 1, r.output
        assert lines[0].startswith(f"error: no jobsift store at {where}"), r.output
        assert "jobsift crawl" in lines[0]
    assert not (tmp_path / "not").exists()


def test_score_on_an_existing_store_still_scores(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jobsift.db'}"
    assert CliRunner().invoke(main, ["--db", url, "db", "upgrade"]).exit_code == 0
    from jobsift.store.db import open_store

    engine = open_store(url)
    try:
        store(engine, [posting("a")])
    finally:
        engine.dispose()
    r = CliRunner().invoke(main, ["--db", url, "score"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("scored 1 postings")
