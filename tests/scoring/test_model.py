"""Model artifacts: hash and version checked before loading; R30 fallback to rules; train and label."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, insert, select

from jobsift.errors import ModelError
from jobsift.scoring import model as model_mod
from jobsift.scoring.rules import RULES_VERSION
from jobsift.scoring.score import score_pending
from jobsift.store.schema import labels, postings, scores
from tests.scoring.factory import BAD_CLIENT, T0, config, latest, posting, store


@pytest.fixture
def artifact(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(model_mod.SHIPPED_DIR, target)
    return target


def test_shipped_model_verifies_loads_and_is_small() -> None:
    m = model_mod.load_artifact(model_mod.SHIPPED_DIR)
    assert m.version.startswith("ghost-")
    assert m.text is not None
    assert m.text_prior is not None
    assert (model_mod.SHIPPED_DIR / model_mod.PAYLOAD).stat().st_size < 5_000_000
    manifest = json.loads((model_mod.SHIPPED_DIR / model_mod.MANIFEST).read_text())
    assert {"version", "sklearn_version", "created", "sha256", "features", "metrics", "ghost_weights"} <= set(manifest)
    assert manifest["format"] == 2
    assert manifest["payload"] == "model.npz"
    card = (model_mod.SHIPPED_DIR / model_mod.CARD).read_text()
    assert "baseline" in card
    assert "F1" in card.replace("f1", "F1")
    probs = m.predict_text(
        [
            "Earn $500 per day from home, no experience needed, contact us on WhatsApp",
            "Senior data engineer to maintain Airflow pipelines and dbt models",
        ]
    )
    assert probs is not None
    assert probs[0] > probs[1]


def _corrupt(path: Path) -> None:
    payload = path / model_mod.PAYLOAD
    data = bytearray(payload.read_bytes())
    data[len(data) // 2] ^= 0xFF
    payload.write_bytes(bytes(data))


def _wrong_version(path: Path) -> None:
    mf = path / model_mod.MANIFEST
    m = json.loads(mf.read_text())
    m["format"] = 99
    mf.write_text(json.dumps(m))


def _missing(path: Path) -> None:
    shutil.rmtree(path)


@pytest.mark.parametrize("damage", [_missing, _corrupt, _wrong_version], ids=["missing", "corrupt", "wrong-version"])
def test_r30_refused_model_falls_back_to_rules_and_still_flags(
    damage: object, artifact: Path, sqlite_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    damage(artifact)  # type: ignore[operator]
    with pytest.raises(ModelError):
        model_mod.load_artifact(artifact)
    url = sqlite_engine.url.render_as_string()
    store(sqlite_engine, [posting("bad", client=BAD_CLIENT, description="Contact me on WhatsApp. " * 10)])
    report = score_pending(sqlite_engine, config(url, model_path=str(artifact)), now=T0)
    assert report.scored == 1
    assert report.model_version == RULES_VERSION
    assert report.warnings
    assert "rules only" in report.warnings[0]
    assert "model refused" in caplog.text
    row = latest(sqlite_engine)["bad"]
    assert {"ghost", "payment_unverified"} <= set(row["flags"])
    assert row["model_version"] == RULES_VERSION
    assert row["features"]["text_scam_prob"] is None


def test_r30_a_payload_failing_the_hash_is_never_unpickled(artifact: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (marker.write_text, ("unpickled",))

    (artifact / model_mod.PAYLOAD).write_bytes(pickle.dumps(Evil()))
    with pytest.raises(ModelError, match="sha256"):
        model_mod.load_artifact(artifact)
    _wrong_version(artifact)
    with pytest.raises(ModelError, match="format 99"):
        model_mod.load_artifact(artifact)
    assert not marker.exists()


def test_r30_garbage_manifest_is_refused(artifact: Path) -> None:
    (artifact / model_mod.MANIFEST).write_bytes(b"\x00\xffnot json")
    with pytest.raises(ModelError, match="unreadable"):
        model_mod.load_artifact(artifact)


def test_label_then_train_below_the_minimum_keeps_the_current_model(sqlite_engine: Engine, tmp_path: Path) -> None:
    from jobsift.cli import main

    url = sqlite_engine.url.render_as_string()
    good = [posting(f"g{i}", title=f"Shopify job {i} for a ceramics shop", client=None) for i in range(15)]
    bad = [
        posting(
            f"b{i}",
            title=f"Job {i}: data entry",
            client=BAD_CLIENT,
            description="Contact me on WhatsApp for the unpaid test task. " * 4,
        )
        for i in range(15)
    ]
    store(sqlite_engine, good + bad)
    score_pending(sqlite_engine, config(url), now=T0)
    with sqlite_engine.connect() as conn:
        ids = {r.external_id: r.id for r in conn.execute(select(postings.c.external_id, postings.c.id))}
    runner = CliRunner()
    res = runner.invoke(main, ["--db", url, "label", str(ids["b0"]), "ghost", "--note", "never replied"])
    assert res.exit_code == 0
    assert "labelled" in res.output
    assert runner.invoke(main, ["--db", url, "label", "999999", "ok"]).exit_code == 2
    with sqlite_engine.begin() as conn:
        conn.execute(
            insert(labels),
            [
                {
                    "posting_id": ids[k],
                    "label": "ghost" if k.startswith("b") else "ok",
                    "origin": "user",
                    "created_at": T0,
                }
                for k in ids
                if k != "b0"
            ],
        )
    res = runner.invoke(main, ["--db", url, "train", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["learned_weights"] is False
    assert out["examples"] == 30
    assert out["counts"] == {"observed": 0, "user": 30}
    assert out["positives"] == 15
    assert out["path"] is None  # nothing new to write: the current model stays in use
    assert any("needs at least 200" in n for n in out["notes"])
    assert not (tmp_path / "jobsift-models").exists()
    text = runner.invoke(main, ["--db", url, "train"])
    assert "kept the current model" in text.output


def test_train_with_too_few_labels_keeps_default_weights(sqlite_engine: Engine, tmp_path: Path) -> None:
    from jobsift.scoring.train import train

    report = train(sqlite_engine, tmp_path / "m", emscad=None)
    assert report.learned_weights is False
    assert report.path is None
    assert any("kept the current ghost model" in n for n in report.notes)


def test_only_resolved_outcomes_become_examples_with_their_first_features(sqlite_engine: Engine) -> None:
    """A hire count in the fields is not a label by itself; a resolved outcome is, with the first score."""
    from datetime import timedelta

    from jobsift.model import Competition, Observation
    from jobsift.scoring.train import collect_examples
    from jobsift.store import outcomes

    url = sqlite_engine.url.render_as_string()
    store(sqlite_engine, [posting("hired", competition=Competition(hires=1)), posting("plain"), posting("open")])
    score_pending(sqlite_engine, config(url), now=T0)
    _x, y, counts = collect_examples(sqlite_engine)
    assert (len(y), counts) == (0, {"observed": 0, "user": 0})
    with sqlite_engine.connect() as conn:
        ids = {r.external_id: r.id for r in conn.execute(select(postings.c.external_id, postings.c.id))}
    later = T0 + timedelta(days=3)
    with sqlite_engine.begin() as conn:
        outcomes.record(conn, ids["plain"], Observation("closed_no_hire", "sub_status", "closed_expired"), later)
        outcomes.record(conn, ids["open"], Observation("open", "status", "active"), later)
    score_pending(sqlite_engine, config(url), rescore_all=True, now=later)
    ex = collect_examples(sqlite_engine)
    assert ex.counts == {"observed": 1, "user": 0}
    assert ex.y.tolist() == [1]
    with sqlite_engine.connect() as conn:
        first = (
            conn.execute(select(scores.c.features).where(scores.c.posting_id == ids["plain"]).order_by(scores.c.id))
            .scalars()
            .first()
        )
    assert ex.features == [first]


def test_labels_on_unscored_postings_are_counted_not_silently_dropped(sqlite_engine: Engine) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from jobsift.model import Posting
    from jobsift.scoring.train import collect_examples, unscored_labels
    from jobsift.store.postings import upsert_postings
    from jobsift.store.schema import labels

    now = datetime(2026, 11, 1, tzinfo=UTC)
    with sqlite_engine.begin() as conn:
        stats = upsert_postings(conn, "s", [Posting("s", "a", "https://x.test/a", "Logo")], now)
        conn.execute(insert(labels).values(posting_id=stats.new_ids[0], label="ghost", origin="user", created_at=now))
    _x, y, counts = collect_examples(sqlite_engine)
    assert (len(y), counts["user"], unscored_labels(sqlite_engine)) == (0, 0, 1)
