"""Train the model shipped in jobsift/data/models/default from the EMSCAD dev CSV.

Usage: python scripts/train_default_model.py ../shared/data/emscad-dev.csv

Writes manifest.json, model.npz and MODEL_CARD.md (with employer-grouped 5-fold metrics of the
text model, the full EMSCAD model and the plain baseline) into jobsift/data/models/default.
After retraining, record the new pipeline's probabilities in tests/fixtures/model/shipped_text_probs.json
(tests/scoring/test_plain_model.py compares the shipped arrays with them).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from jobsift.scoring.model import SHIPPED_DIR
from jobsift.scoring.train import train


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("emscad", type=Path)
    ap.add_argument("--out", type=Path, default=SHIPPED_DIR)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = train(None, Path(tmp), emscad=args.emscad, full_metrics=True)
        assert report.path is not None
        if args.out.exists():
            shutil.rmtree(args.out)
        shutil.copytree(report.path, args.out)
    print(f"wrote {args.out} ({report.version})")
    for name, m in report.metrics.items():
        print(f"  {name}: F1 {m['f1']} P {m['precision']} R {m['recall']} PR-AUC {m['pr_auc']} ROC-AUC {m['roc_auc']}")


if __name__ == "__main__":
    main()
