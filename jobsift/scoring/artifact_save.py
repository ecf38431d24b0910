"""Writing a model artifact (training and ``scripts/convert_model.py`` only; scoring never imports
this): the text pipeline exported to plain arrays, the manifest with the payload's sha256, the card.
The layout is described in ``jobsift.scoring.model``."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jobsift.scoring.model import CARD, FORMAT, MANIFEST, PAYLOAD, sha256_file
from jobsift.scoring.rules import DEFAULT_INTERCEPT, DEFAULT_WEIGHTS, RULES_VERSION
from jobsift.scoring.textmodel import to_arrays


def sklearn_version() -> str:
    """The scikit-learn that trains (recorded in the manifest for the record; loading never needs it)."""
    import sklearn

    return str(sklearn.__version__)


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
    """Write payload, manifest (with the payload's sha256) and model card into ``directory``.

    ``payload`` is what training produced: ``text`` (a fitted scikit-learn text pipeline, or absent),
    ``text_prior``, ``ghost_weights`` and ``ghost_intercept``. The pipeline is exported to plain arrays
    (``textmodel.to_arrays``; a plain model already loaded is kept as it is); the weights go into the manifest.
    """
    import numpy

    directory.mkdir(parents=True, exist_ok=True)
    payload_path = directory / PAYLOAD
    arrays: dict[str, Any] = {}
    settings: dict[str, Any] | None = None
    if payload.get("text") is not None:
        arrays, settings = to_arrays(payload["text"])
    with payload_path.open("wb") as fh:
        numpy.savez_compressed(fh, **arrays)
    prior = payload.get("text_prior")
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
        "ghost_weights": {k: float(v) for k, v in payload.get("ghost_weights", DEFAULT_WEIGHTS).items()},
        "ghost_intercept": float(payload.get("ghost_intercept", DEFAULT_INTERCEPT)),
        "text_prior": None if prior is None else float(prior),
        "text_model": settings,
        "calibration": calibration,
    }
    if calibration is not None:
        manifest["calibration"] = calibration
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (directory / CARD).write_text(card, encoding="utf-8")
    return directory
