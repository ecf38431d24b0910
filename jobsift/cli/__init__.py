"""The ``jobsift`` command: a thin layer over the library, one module per area.

Exit codes: 0 ok, 1 error or partial, 2 misuse (see docs/running.md#exit-codes). Errors are one
line; ``-v`` adds jobsift's details, ``-vv`` debug logs of every library. Heavy libraries load
inside commands, so ``jobsift --help`` stays fast.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from jobsift.cli import startup
from jobsift.cli.common import Context, JobsiftGroup, keep_example_lines

startup.begin()  # until the store is open (``Context.engine``): see jobsift.cli.startup

COMMAND_MODULES = (
    "crawl",
    "jobs",
    "sources",
    "db",
    "demo",
    "freelance",
    "scoring",
    "publish",
    "send",
    "query",
    "schedule",
    "outcomes",
)


@click.group(
    cls=JobsiftGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Example:\n\n    jobsift init && jobsift crawl && jobsift jobs --min-quality 60",
)
@click.option(
    "--config",
    "config_path",
    envvar="JOBSIFT_CONFIG",
    type=click.Path(dir_okay=False),
    help="Config file (default ./jobsift.toml; env JOBSIFT_CONFIG).",
)
@click.option("--db", "db_url", envvar="JOBSIFT_DB", help="Database URL (env JOBSIFT_DB).")
@click.option("-v", "--verbose", count=True, help="jobsift's details (-vv: debug logs of every library).")
@click.version_option(package_name="jobsift")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, db_url: str | None, verbose: int) -> None:
    """Sift freelance and remote job feeds: flag ghost jobs, unverified clients and lowball budgets."""
    ctx.obj = Context(config_path=config_path, db_url=db_url, verbose=verbose)
    ctx.call_on_close(ctx.obj.close)
    configure_logging(verbose)


def configure_logging(verbose: int) -> None:
    """Warnings only by default; ``-v`` adds jobsift's own INFO lines (not Alembic's, httpx's or
    other libraries'); ``-vv`` is DEBUG for everything, libraries included."""
    root = logging.WARNING if verbose < 2 else logging.DEBUG
    logging.basicConfig(level=root, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger().setLevel(root)
    logging.getLogger("jobsift").setLevel(logging.INFO if verbose == 1 else logging.NOTSET)


def _register() -> None:
    for name in COMMAND_MODULES:
        try:
            module: Any = importlib.import_module(f"jobsift.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"jobsift.cli.{name}":
                raise
            continue
        module.register(main)
    keep_example_lines(main)


_register()
