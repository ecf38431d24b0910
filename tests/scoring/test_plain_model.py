"""Pickle-free artifacts: numpy scoring equals the scikit-learn pipeline (1e-9); loading runs no code."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from jobsift.errors import ModelError
from jobsift.scoring import artifact_save
from jobsift.scoring import model as model_mod
from jobsift.scoring.emscad import read_emscad
from jobsift.scoring.text import emscad_text
from tests.conftest import DATA
from tests.scoring.test_emscad import _fixture_csv

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "model" / "shipped_text_probs.json"
EMSCAD = DATA / "emscad-dev.csv"
TEXTS = [
    "Earn $500 per day from home, no experience needed, contact us on WhatsApp",
    "Senior data engineer to maintain Airflow pipelines and dbt models",
    "",
    "!!!",
    "ÉTÉ café naïve — ünïcödé 東京 job job job",
    "Data entry clerk. " * 300,
    "x" * 5000,
    "Backend engineer: maintain our Go services and PostgreSQL schemas, review code, and mentor.",
    "Home typist, earn fast. Reply quickly. Wire the equipment fee first.",
]


def test_shipped_artifact_gives_the_probabilities_of_the_pipeline_it_was_exported_from() -> None:
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))
    m = model_mod.load_artifact(model_mod.SHIPPED_DIR)
    assert m.version == ref["version"], "shipped model changed: record its pipeline's probabilities again"
    got = m.predict_text(ref["probes"])
    assert got is not None
    np.testing.assert_allclose(got, ref["probes_proba"], rtol=0, atol=1e-9)
    if not EMSCAD.is_file():
        pytest.skip(f"{EMSCAD} not present")
    texts = [emscad_text(r) for r in read_emscad(EMSCAD).rows]
    got = m.predict_text(texts)
    assert got is not None
    assert len(got) == len(ref["emscad_dev_proba"]) == 688
    np.testing.assert_allclose(got, ref["emscad_dev_proba"], rtol=0, atol=1e-9)


@pytest.mark.parametrize("source", ["fixture", "emscad-dev"])
def test_freshly_trained_artifact_scores_like_the_scikit_learn_pipeline(source: str, tmp_path: Path) -> None:
    from jobsift.scoring.emscad import fit_text_model

    if source == "fixture":
        data = read_emscad(_fixture_csv(tmp_path / "mini.csv"))
        texts = TEXTS
    else:
        if not EMSCAD.is_file():
            pytest.skip(f"{EMSCAD} not present")
        data = read_emscad(EMSCAD, limit=400)
        texts = TEXTS + [emscad_text(r) for r in read_emscad(EMSCAD).rows[400:]]
    pipeline = fit_text_model(data)
    path = artifact_save.save_artifact(
        tmp_path / "m",
        version="ghost-test",
        payload={"text": pipeline, "text_prior": 0.5, "ghost_weights": {"reposted": 2.0}, "ghost_intercept": -1.0},
        features=[],
        metrics={},
        training={},
        card="# card\n",
    )
    assert sorted(p.name for p in path.iterdir()) == ["MODEL_CARD.md", "manifest.json", "model.npz"]
    m = model_mod.load_artifact(path)
    want = pipeline.predict_proba(texts)[:, 1]
    got = m.predict_text(texts)
    assert got is not None
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
    assert (m.weights["reposted"], m.intercept, m.text_prior) == (2.0, -1.0, 0.5)
    assert m.calibration is None
    assert not m.calibrated


def test_jobsift_train_writes_an_artifact_loaded_without_scikit_learn(tmp_path: Path) -> None:
    from jobsift.scoring.train import train

    report = train(None, tmp_path / "models", emscad=_fixture_csv(tmp_path / "mini.csv"), evaluate_folds=0)
    assert report.path is not None
    code = (
        "import sys; from jobsift.scoring.model import load_artifact; "
        f"m = load_artifact({str(report.path)!r}); p = m.predict_text(['earn fast from home', 'Go services']); "
        "print(len(p), sorted(k for k in ('sklearn', 'scipy', 'joblib') if k in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "2 []"


def test_calibration_key_is_kept_in_the_manifest(tmp_path: Path) -> None:
    calibration = {"method": "platt", "outcomes": 40, "clients": 30, "never_hired": 12, "a": 1.5, "b": -0.2}
    path = artifact_save.save_artifact(
        tmp_path / "m",
        version="ghost-c",
        payload={},
        features=[],
        metrics={},
        training={},
        card="",
        calibration=calibration,
    )
    m = model_mod.load_artifact(path)
    assert m.calibration == calibration
    assert m.calibrated
    assert m.text is None
    assert m.predict_text(["x"]) is None


def _rehash(artifact: Path) -> None:
    mf = artifact / model_mod.MANIFEST
    m = json.loads(mf.read_text())
    m["sha256"] = model_mod.sha256_file(artifact / model_mod.PAYLOAD)
    mf.write_text(json.dumps(m))


def test_a_pickle_with_a_matching_hash_is_still_never_unpickled(tmp_path: Path) -> None:
    artifact = tmp_path / "model"
    shutil.copytree(model_mod.SHIPPED_DIR, artifact)
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (marker.write_text, ("unpickled",))

    # A bare pickle, then an .npz whose arrays are object arrays (pickled inside the zip).
    (artifact / model_mod.PAYLOAD).write_bytes(pickle.dumps(Evil()))
    _rehash(artifact)
    with pytest.raises(ModelError, match="cannot be read"):
        model_mod.load_artifact(artifact)
    with (artifact / model_mod.PAYLOAD).open("wb") as fh:
        np.savez(fh, text_terms=np.asarray([Evil()], dtype=object))
    _rehash(artifact)
    with pytest.raises(ModelError, match="cannot be read"):
        model_mod.load_artifact(artifact)
    assert not marker.exists()


def test_inconsistent_arrays_and_format_1_artifacts_are_refused(tmp_path: Path) -> None:
    artifact = tmp_path / "model"
    shutil.copytree(model_mod.SHIPPED_DIR, artifact)
    with np.load(artifact / model_mod.PAYLOAD, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["text_idf"] = arrays["text_idf"][:-1]
    with (artifact / model_mod.PAYLOAD).open("wb") as fh:
        np.savez(fh, **arrays)
    _rehash(artifact)
    with pytest.raises(ModelError, match="inconsistent shapes") as exc:
        model_mod.load_artifact(artifact)
    assert exc.value.reason == "model_corrupt"
    mf = artifact / model_mod.MANIFEST
    m = json.loads(mf.read_text())
    m["format"] = 1
    mf.write_text(json.dumps(m))
    with pytest.raises(ModelError, match="format 1") as exc:
        model_mod.load_artifact(artifact)
    assert exc.value.reason == "model_incompatible"
