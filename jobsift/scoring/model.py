"""Model artifacts: a JSON manifest beside a numpy ``.npz`` of plain arrays; nothing is unpickled.

An artifact is a directory::

    manifest.json   format, version, created, the versions that trained it, payload file name,
                    sha256 of the payload, feature list, metrics, training data summary, the ghost
                    weights and intercept, the text prior, the text model's settings, and
                    ``calibration`` (outcome calibration of the ghost figure, or null)
    model.npz       the text model as arrays (textmodel.ARRAYS: vocabulary, idf, coefficients,
                    intercepts, sigmoid calibration), read with ``allow_pickle=False``
    MODEL_CARD.md   what it was trained on, when, how well it does

``save_artifact`` (``scoring/artifact_save.py``, training only) writes one. ``load_artifact`` reads
the manifest, checks the format and the payload's sha256, then reads the arrays and checks their
shapes. Loading never imports scikit-learn and never runs code from the
directory (no pickle): a model directory is data. Scoring uses numpy alone (textmodel.PlainTextModel,
the same probabilities as the scikit-learn pipeline it was exported from, to 1e-9). Any failure
raises ``ModelError``; scoring catches it and falls back to the rules. Format 1 artifacts (a joblib
pickle) are refused; ``scripts/convert_model.py`` converts one you trust.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobsift.errors import ModelError
from jobsift.scoring.rules import DEFAULT_INTERCEPT, DEFAULT_WEIGHTS, RULES_VERSION
from jobsift.scoring.textmodel import ARRAYS, PlainModelError, PlainTextModel

log = logging.getLogger(__name__)
FORMAT = 2
MANIFEST = "manifest.json"
PAYLOAD = "model.npz"
CARD = "MODEL_CARD.md"
SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "models" / "default"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class GhostModel:
    """A loaded artifact: the text model plus the ghost weights, ready to predict in batches."""

    version: str
    #: The text model (textmodel.PlainTextModel: numpy only), or None.
    text: Any | None = None
    text_prior: float | None = None
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    intercept: float = DEFAULT_INTERCEPT
    manifest: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    #: How the ghost figure was calibrated on observed outcomes, or None for uncalibrated (default) weights.
    #: Keys: ``method`` ("platt" | "isotonic"), ``outcomes`` (resolved outcomes it was fitted on), ``clients``,
    #: ``never_hired`` (how many of them never hired), and the method's parameters. Stored in the manifest.
    calibration: dict[str, Any] | None = None

    @property
    def calibrated(self) -> bool:
        """True only when the ghost figure was calibrated on outcomes and may be shown as a probability."""
        return self.calibration is not None

    def predict_text(self, texts: list[str]) -> list[float] | None:
        """Calibrated scam-language probability per text, in one batched call."""
        if self.text is None or not texts:
            return None if self.text is None else []
        return [float(p) for p in self.text.predict_proba(texts)]


def rules_only() -> GhostModel:
    """What scoring uses when no model is usable: default weights, no text model."""
    return GhostModel(version=RULES_VERSION)


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"model manifest {path} not found", reason="model_missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"model manifest {path} is unreadable ({exc})", reason="model_corrupt") from None
    if not isinstance(data, dict):
        raise ModelError(f"model manifest {path} is not a JSON object", reason="model_corrupt")
    return data


def verify(directory: Path) -> dict[str, Any]:
    """Check manifest, format and payload hash; returns the manifest. Reads no payload."""
    m = read_manifest(directory)
    if m.get("format") == 1:
        raise ModelError(
            f"model {directory}: format 1 (a pickled scikit-learn model) is no longer loaded; retrain with "
            "'jobsift train', or convert an artifact you trust with scripts/convert_model.py",
            reason="model_incompatible",
        )
    if m.get("format") != FORMAT:
        raise ModelError(
            f"model {directory}: format {m.get('format')!r}, expected {FORMAT}", reason="model_incompatible"
        )
    payload = directory / str(m.get("payload", PAYLOAD))
    if payload.parent != directory or not payload.is_file():
        raise ModelError(f"model payload {payload} not found", reason="model_missing")
    digest = sha256_file(payload)
    if digest != m.get("sha256"):
        raise ModelError(
            f"model {directory}: payload sha256 {digest[:12]}… does not match the manifest", reason="model_corrupt"
        )
    return m


#: Text models by (file, sha256): the hash is verified on every load, so a cached model is exactly
#: the bytes on disk; the web page and the daemon stop reading the arrays per request.
_TEXT_MODELS: dict[tuple[str, str], PlainTextModel | None] = {}


def _read_text_model(file: Path, m: dict[str, Any]) -> PlainTextModel | None:
    """The arrays of ``file`` as a text model (None when the artifact has none); never unpickles."""
    import numpy as np

    settings = m.get("text_model")
    try:
        with np.load(file, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files if k in ARRAYS}
    except Exception as exc:  # noqa: BLE001 - a zip/npy read failure of any kind means the payload is unusable
        raise ModelError(f"model payload {file} cannot be read ({exc})", reason="model_corrupt") from None
    if settings is None and not arrays:
        return None
    if not isinstance(settings, dict):
        raise ModelError(f"model {file.parent}: manifest has no text_model settings", reason="model_corrupt")
    try:
        return PlainTextModel.from_arrays(arrays, settings)
    except PlainModelError as exc:
        raise ModelError(f"model {file.parent}: {exc}", reason="model_corrupt") from None


def _number(m: dict[str, Any], key: str, default: float | None) -> float | None:
    value = m.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ModelError(f"manifest {key} is not a number", reason="model_corrupt")
    return float(value)


def load_artifact(directory: Path) -> GhostModel:
    """Verify, then read the arrays. Raises ``ModelError`` for anything missing, corrupt or incompatible."""
    directory = Path(directory)
    if directory.is_file() and directory.name == MANIFEST:
        directory = directory.parent
    m = verify(directory)
    file = directory / str(m.get("payload", PAYLOAD))
    key = (str(file.resolve()), str(m.get("sha256")))
    text = _TEXT_MODELS[key] if key in _TEXT_MODELS else _read_text_model(file, m)
    _TEXT_MODELS[key] = text
    weights = m.get("ghost_weights", {})
    if not isinstance(weights, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in weights.values()
    ):
        raise ModelError(f"model {directory}: manifest ghost_weights is not a table of numbers", reason="model_corrupt")
    stored = _number(m, "ghost_intercept", DEFAULT_INTERCEPT)
    intercept = DEFAULT_INTERCEPT if stored is None else stored
    return GhostModel(
        version=str(m["version"]),
        text=text,
        text_prior=_number(m, "text_prior", None),
        weights={**DEFAULT_WEIGHTS, **{str(k): float(v) for k, v in weights.items()}},
        intercept=intercept,
        manifest=m,
        path=directory,
        calibration=m.get("calibration") if isinstance(m.get("calibration"), dict) else None,
    )


def user_model_dir(db_url: str) -> Path:
    """Where ``jobsift train`` writes: ``models/`` beside a SQLite file, else ~/.local/share."""
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).expanduser().resolve().parent / "jobsift-models"
    return Path.home() / ".local" / "share" / "jobsift" / "models"


def find_default(db_url: str) -> Path:
    """The newest trained artifact in the user directory, else the shipped one."""
    root = user_model_dir(db_url)
    if root.is_dir():
        trained = sorted((d for d in root.iterdir() if (d / MANIFEST).is_file()), key=lambda d: d.name)
        if trained:
            return trained[-1]
    return SHIPPED_DIR


def resolve(model_path: str, db_url: str) -> Path:
    return Path(model_path).expanduser() if model_path else find_default(db_url)


def load_for_scoring(model_path: str, db_url: str, *, use_model: bool = True) -> tuple[GhostModel, str | None]:
    """The model to score with, or rules-only plus a warning when the artifact is refused (R30)."""
    if not use_model:
        return rules_only(), None
    path = resolve(model_path, db_url)
    try:
        return load_artifact(path), None
    except ModelError as exc:
        warning = f"model refused, scoring with rules only: {exc}"
        log.warning(warning)
        return rules_only(), warning


def find_version(version: str, db_url: str, model_path: str = "") -> GhostModel | None:
    """The artifact with this version (for explain), searching the configured, user and shipped ones."""
    if version == RULES_VERSION:
        return rules_only()
    candidates: list[Path] = []
    if model_path:
        candidates.append(Path(model_path).expanduser())
    root = user_model_dir(db_url)
    if root.is_dir():
        candidates.extend(sorted(root.iterdir()))
    candidates.append(SHIPPED_DIR)
    for d in candidates:
        try:
            if read_manifest(d).get("version") == version:
                return load_artifact(d)
        except ModelError:
            continue
    return None
