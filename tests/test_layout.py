"""The tests mirror the package: a test folder is named for the jobsift package it tests.

Only tests that are about the whole program, not one part, stay at the top of ``tests/``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
PACKAGE = ROOT / "jobsift"
#: Folders of shared test machinery, not tests of a package.
SUPPORT = {"support", "fixtures", "__pycache__"}
#: Top-level tests about the whole program (docs, import cost, stored text across formats, this layout).
WHOLE_PROGRAM = {"test_cold_imports.py", "test_docs.py", "test_stored_text.py", "test_layout.py"}


def _folders(base: Path) -> list[Path]:
    return sorted(p for p in base.rglob("*") if p.is_dir() and not SUPPORT & set(p.relative_to(base).parts))


def test_every_test_folder_is_named_for_a_package() -> None:
    strays = [
        str(folder.relative_to(TESTS))
        for folder in _folders(TESTS)
        if not (PACKAGE / folder.relative_to(TESTS) / "__init__.py").is_file()
    ]
    assert strays == [], f"test folders that name no jobsift package: {strays}"


def test_only_whole_program_tests_sit_at_the_top() -> None:
    top = {p.name for p in TESTS.glob("test_*.py")}
    assert top - WHOLE_PROGRAM == set(), "move these into the folder of the package they test"


def test_every_test_folder_is_a_package_so_names_do_not_collide() -> None:
    missing = [str(f.relative_to(TESTS)) for f in _folders(TESTS) if not (f / "__init__.py").is_file()]
    assert missing == []
