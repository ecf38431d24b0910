"""Convert a format-1 model artifact (a joblib pickle) into the pickle-free format 2.

Usage: python scripts/convert_model.py OLD_DIR [--out NEW_DIR]

This unpickles OLD_DIR/model.joblib, which runs whatever code the file holds: only convert an
artifact you trained yourself or otherwise trust (jobsift itself never unpickles a model). The
new artifact keeps the version, creation date, metrics, training summary, features, model card and
``calibration`` of the old one; the text model gives the same probabilities (checked here on a few
texts, to 1e-9). Without --out the directory is converted in place.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

from jobsift.scoring.artifact_save import save_artifact
from jobsift.scoring.model import CARD, MANIFEST, load_artifact, sha256_file

PROBES = [
    "Earn $500 per day from home, no experience needed, contact us on WhatsApp",
    "Senior data engineer to maintain Airflow pipelines and dbt models",
    "",
]


def main() -> None:
    import joblib

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    old_manifest = json.loads((args.old / MANIFEST).read_text(encoding="utf-8"))
    if old_manifest.get("format") != 1:
        raise SystemExit(f"{args.old}: format {old_manifest.get('format')!r}, not a format-1 artifact")
    if sha256_file(args.old / old_manifest["payload"]) != old_manifest["sha256"]:
        raise SystemExit(f"{args.old}: payload sha256 does not match its manifest")
    payload = joblib.load(args.old / old_manifest["payload"])
    card = (args.old / CARD).read_text(encoding="utf-8") if (args.old / CARD).is_file() else ""
    out = args.out or args.old
    with tempfile.TemporaryDirectory() as tmp:
        new = save_artifact(
            Path(tmp) / "model",
            version=old_manifest["version"],
            payload=payload,
            features=old_manifest.get("features", []),
            metrics=old_manifest.get("metrics", {}),
            training=old_manifest.get("training", {}),
            card=card.replace("model.joblib", "model.npz"),
            calibration=old_manifest.get("calibration"),
        )
        manifest = json.loads((new / MANIFEST).read_text(encoding="utf-8"))
        for key in ("created", "sklearn_version", "numpy_version", "python_version"):
            if key in old_manifest:
                manifest[key] = old_manifest[key]
        (new / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        converted = load_artifact(new)
        if payload.get("text") is not None:
            want = payload["text"].predict_proba(PROBES)[:, 1]
            got = np.asarray(converted.predict_text(PROBES))
            if not np.allclose(want, got, rtol=0, atol=1e-9):
                raise SystemExit(f"converted text model differs: {want} vs {got}")
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(new, out)
    print(f"wrote {out} ({old_manifest['version']}, format 2)")


if __name__ == "__main__":
    main()
