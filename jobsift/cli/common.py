"""What every sub-command shares: the context (config, store), options, errors and output."""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from jobsift.cli import startup
from jobsift.cli.output import printable
from jobsift.encoding import csv_safe, json_default
from jobsift.errors import ConfigError, JobsiftError
from jobsift.redact import redact

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from jobsift.config import Config
    from jobsift.config.validate import ChannelCheck

F = TypeVar("F", bound=Callable[..., Any])
#: The example config with real public feeds (docs/configuration.md).
STARTER = Path(__file__).resolve().parent.parent / "data" / "jobsift.example.toml"


@dataclass
class Context:
    config_path: str | None = None
    db_url: str | None = None
    verbose: int = 0
    #: False for commands that only read: they refuse a SQLite path with no store instead of creating one.
    create_store: bool = True
    _config: Config | None = field(default=None, repr=False)
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            from jobsift.config import load_config

            # The registries as functions: their modules load only for a config naming a flag or webhook.
            self._config = load_config(
                self.config_path, db_url=self.db_url, known_flags=_flag_codes, channels=_channel_checks
            )
        return self._config

    def close(self) -> None:
        """Release the store's connections (PostgreSQL keeps them open otherwise)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from jobsift.store.db import open_store

            self._engine = open_store(
                self.config.database.url,
                auto_upgrade=self.config.database.auto_upgrade,
                create=self.create_store,
            )
            startup.end()  # the store's libraries are in: the collector scans only what comes next
        return self._engine


def _flag_codes() -> Sequence[str]:
    from jobsift.scoring.flags import flag_codes

    return flag_codes()


def _channel_checks() -> Mapping[str, ChannelCheck]:
    from jobsift.publish.channels import checks

    return checks()


class JobsiftGroup(click.Group):
    """Turns jobsift errors into one line and the documented exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.BadParameter as exc:  # a bad value: one line naming the option, not the usage block
            hint = f" (see 'jobsift {exc.ctx.info_name} --help')" if exc.ctx is not None and exc.ctx.info_name else ""
            click.echo(f"Error: {printable(exc.format_message())}{hint}", err=True)
            sys.exit(2)
        except ConfigError as exc:
            click.echo(f"error: config: {printable(redact(str(exc)))}", err=True)
            sys.exit(2)
        except JobsiftError as exc:
            click.echo(f"error: {printable(redact(str(exc)))}", err=True)
            if ctx.obj is not None and ctx.obj.verbose:
                import traceback

                traceback.print_exc()
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


def common_options(fn: F) -> F:
    """``--config`` and ``--db`` on every sub-command too (they override the group's)."""

    @click.option(
        "--config",
        "config_path_",
        type=click.Path(dir_okay=False),
        default=None,
        help="Config file (overrides the global --config).",
    )
    @click.option("--db", "db_url_", default=None, help="Database URL (overrides the global --db).")
    @functools.wraps(fn)
    def wrapper(*args: Any, config_path_: str | None, db_url_: str | None, **kwargs: Any) -> Any:
        ctx = click.get_current_context().find_object(Context)
        if ctx is not None and (config_path_ or db_url_):
            ctx.close()
            ctx._config = None
            ctx.config_path = config_path_ or ctx.config_path
            ctx.db_url = db_url_ or ctx.db_url
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


pass_ctx = click.make_pass_decorator(Context)


def reads_store(fn: F) -> F:
    """Mark a command that only reads the store: a SQLite path with no store is an error (exit 2),
    never a new empty store. Commands that write (init, crawl, import, db upgrade) create it."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context().find_object(Context)
        if ctx is not None:
            ctx.create_store = False
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def keep_example_lines(command: click.Command) -> None:
    """Mark every indented epilog paragraph of ``command`` and its sub-commands as not to be rewrapped.

    Click joins the lines of a paragraph into one; ``\\b`` on the line before a paragraph keeps its lines
    (click's no-rewrap marker). Done once for the whole tree, so a new command's examples need nothing.
    """
    if command.epilog:
        paragraphs = command.epilog.split("\n\n")
        command.epilog = "\n\n".join(
            "\b\n" + p if p[:1].isspace() and not p.startswith("\b") else p for p in paragraphs
        )
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            keep_example_lines(sub)


# JSON escapes C0 controls but not DEL, the C1 range (CSI, OSC), line separators or bidi overrides.
_JSON_INERT = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def dumps(data: Any) -> str:
    """Indented JSON in which no character can drive a terminal (escaped, so the data is unchanged)."""
    raw = json.dumps(data, default=json_default, ensure_ascii=False, indent=2)
    return _JSON_INERT.sub(lambda m: f"\\u{ord(m.group()):04x}", raw)


def write_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str], out: io.TextIOBase | Any) -> None:
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_safe(row.get(c)) for c in columns])


def is_tty() -> bool:
    return sys.stderr.isatty()


@contextlib.contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[str], None]]:
    """A Rich progress bar on a terminal; silent when output is piped."""
    if not is_tty() or total <= 0:
        yield lambda _desc: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as prog:
        task = prog.add_task(label, total=total)

        def advance(desc: str) -> None:
            prog.update(task, advance=1, description=printable(f"{label} {desc}"))

        yield advance
