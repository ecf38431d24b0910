"""Model artifacts: a JSON manifest beside a joblib payload, checked before anything is unpickled.

An artifact is a directory::

    manifest.json   format, version, created, sklearn/numpy/python versions, payload file name,
                    sha256 of the payload, feature list, metrics, training data summary
    model.joblib    {"text": fitted text pipeline, "ghost_weights": {...}, "ghost_intercept": float,
                     "text_prior": float}
    MODEL_CARD.md   what it was trained on, when, how well it does

``load_artifact`` reads the manifest, checks the format, the scikit-learn version (pickles are only
valid for the version that wrote them) and the payload's sha256, and only then unpickles it. Any
failure raises ``ModelError``; scoring catches it and falls back to the rules. The hash guards
against corruption and mix-ups, not against someone who can write to the model directory.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jobsift.errors import ModelError
from jobsift.scoring.rules import DEFAULT_INTERCEPT, DEFAULT_WEIGHTS, RULES_VERSION

log = logging.getLogger(__name__)
FORMAT = 1
MANIFEST = "manifest.json"
PAYLOAD = "model.joblib"
CARD = "MODEL_CARD.md"
SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "models" / "default"


def same_release_line(built: str, running: str) -> bool:
    """scikit-learn keeps its pickles loadable within a minor release (1.9.0 to 1.9.x), not across."""
    return built.split(".")[:2] == running.split(".")[:2]


def sklearn_version() -> str:
    import sklearn

    return str(sklearn.__version__)


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
        return [float(p) for p in self.text.predict_proba(texts)[:, 1]]


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
    """Check manifest, versions and payload hash; returns the manifest. Unpickles nothing."""
    m = read_manifest(directory)
    if m.get("format") != FORMAT:
        raise ModelError(
            f"model {directory}: format {m.get('format')!r}, expected {FORMAT}", reason="model_incompatible"
        )
    if not same_release_line(str(m.get("sklearn_version")), sklearn_version()):
        raise ModelError(
            f"model {directory}: built with scikit-learn {m.get('sklearn_version')}, this is "
            f"{sklearn_version()}; retrain with 'jobsift train'",
            reason="model_incompatible",
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


#: Unpickled payloads by (file, sha256): the hash is verified on every load, so a cached payload is
#: exactly the bytes on disk; the web page and the daemon stop unpickling the model per request.
_PAYLOADS: dict[tuple[str, str], Any] = {}


def load_artifact(directory: Path) -> GhostModel:
    """Verify, then unpickle. Raises ``ModelError`` for anything missing, corrupt or incompatible."""
    import joblib

    directory = Path(directory)
    if directory.is_file() and directory.name == MANIFEST:
        directory = directory.parent
    m = verify(directory)
    file = directory / str(m.get("payload", PAYLOAD))
    key = (str(file.resolve()), str(m.get("sha256")))
    try:
        payload = _PAYLOADS[key] if key in _PAYLOADS else joblib.load(file)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means the artifact is unusable
        raise ModelError(f"model {directory}: payload cannot be loaded ({exc})", reason="model_corrupt") from None
    _PAYLOADS[key] = payload
    if not isinstance(payload, dict):
        raise ModelError(f"model {directory}: payload is not a model bundle", reason="model_corrupt")
    return GhostModel(
        version=str(m["version"]),
        text=payload.get("text"),
        text_prior=payload.get("text_prior"),
        weights={**DEFAULT_WEIGHTS, **payload.get("ghost_weights", {})},
        intercept=float(payload.get("ghost_intercept", DEFAULT_INTERCEPT)),
        manifest=m,
        path=directory,
        calibration=m.get("calibration") if isinstance(m.get("calibration"), dict) else None,
    )


def save_artifact(
    directory: Path,
    *,
    version: str,
    payload: dict[str, Any],
    features: list[str],
    metrics: dict[str, Any],
    training: dict[str, Any],
    card: str,
    calibration: dict[str, Any] | None = None,
) -> Path:
    """Write payload, manifest (with the payload's sha256) and model card into ``directory``."""
    import joblib
    import numpy

    directory.mkdir(parents=True, exist_ok=True)
    payload_path = directory / PAYLOAD
    joblib.dump(payload, payload_path, compress=3)
    manifest = {
        "format": FORMAT,
        "version": version,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "sklearn_version": sklearn_version(),
        "numpy_version": numpy.__version__,
        "python_version": platform.python_version(),
        "payload": PAYLOAD,
        "sha256": sha256_file(payload_path),
        "features": features,
        "metrics": metrics,
        "training": training,
        "rules_version": RULES_VERSION,
    }
    if calibration is not None:
        manifest["calibration"] = calibration
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (directory / CARD).write_text(card, encoding="utf-8")
    return directory


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
