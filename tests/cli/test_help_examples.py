"""Every example in every command's --help stays on its own line (click rewraps epilogs otherwise)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from jobsift.cli import main
from jobsift.cli.common import keep_example_lines
from tests.cli.test_commands import all_commands


def command_at(path: tuple[str, ...]) -> click.Command:
    cmd: click.Command = main
    for name in path:
        assert isinstance(cmd, click.Group)
        cmd = cmd.commands[name]
    return cmd


def example_lines(cmd: click.Command) -> list[str]:
    return [line.strip() for line in (cmd.epilog or "").splitlines() if line.strip().startswith("jobsift")]


@pytest.mark.parametrize("path", [(), *all_commands(main)], ids=lambda p: " ".join(p) or "jobsift")
@pytest.mark.parametrize("width", [60, 80, 200])
def test_each_example_is_a_line_of_its_own(path: tuple[str, ...], width: int) -> None:
    examples = example_lines(command_at(path))
    assert examples, "no example in the epilog"
    result = CliRunner().invoke(main, [*path, "--help"], terminal_width=width)
    assert result.exit_code == 0, result.output
    shown = [line.strip() for line in result.output.splitlines()]
    for example in examples:
        assert example in shown, f"{example!r} is not a line of its own in:\n{result.output}"
    assert "\b" not in result.output


def test_a_new_command_with_short_examples_keeps_them_apart() -> None:
    @click.group()
    def group() -> None:
        """A group."""

    @group.command(epilog="Examples:\n\n    jobsift a\n    jobsift a --b\n\nA sentence that may be\nrewrapped.")
    def a() -> None:
        """A command."""

    keep_example_lines(group)
    out = CliRunner().invoke(group, ["a", "--help"]).output
    lines = [line.strip() for line in out.splitlines()]
    assert "jobsift a" in lines
    assert "jobsift a --b" in lines
    assert "A sentence that may be rewrapped." in lines
