"""The market prior is read once per process and file version, not once per scoring run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from jobsift.scoring.market import PRIOR_PATH, load_prior


def test_prior_is_read_once_and_again_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "prior.json"
    shutil.copy(PRIOR_PATH, path)
    first, second = load_prior(path), load_prior(path)
    assert first == second
    assert first is not second  # callers get their own mapping
    assert all(first[k] is second[k] for k in first)  # the same cells: not parsed again
    data = json.loads(path.read_text(encoding="utf-8"))
    data["cells"] = data["cells"][:1] if isinstance(data["cells"], list) else dict(list(data["cells"].items())[:1])
    path.write_text(json.dumps(data) + " " * 7, encoding="utf-8")
    assert len(load_prior(path)) == 1
    assert load_prior(tmp_path / "absent.json") == {}
