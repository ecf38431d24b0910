"""The README covers every setting and every CLI command, each command with an example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jobsift.cli import main
from jobsift.config import iter_settings
from tests.test_cli import all_commands

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [n for n, _ in iter_settings()])
def test_readme_documents_every_setting(name: str) -> None:
    assert f"`{name}`" in README


@pytest.mark.parametrize("path", all_commands(main), ids=" ".join)
def test_readme_shows_every_command_with_an_example(path: tuple[str, ...]) -> None:
    command = "jobsift " + " ".join(path)
    assert re.search(rf"^\s*(\$ )?{re.escape(command)}\b", README, re.M), f"no example of `{command}` in README"


def test_readme_shows_the_two_commands() -> None:
    assert "make demo" in README
    assert "make test" in README
