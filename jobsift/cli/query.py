"""``jobsift query``: one read-only SQL statement against the store, bounded in time, rows and memory."""

from __future__ import annotations

import sys
from typing import Any

import click

from jobsift.cli.common import Context, common_options, dumps, pass_ctx, reads_store, write_csv
from jobsift.cli.output import make_console, printable, text


def register(main: click.Group) -> None:
    main.add_command(query)


@click.command(
    epilog='Examples:\n\n    jobsift query "SELECT source, count(*) AS n FROM jobs GROUP BY source"\n'
    '    jobsift query "SELECT title, quality FROM jobs WHERE quality >= :q" -p q 70 --format csv'
)
@click.argument("sql")
@click.option(
    "-p",
    "--param",
    "params",
    type=(str, str),
    multiple=True,
    metavar="NAME VALUE",
    help="Bind :NAME to VALUE (repeatable). Numbers are passed as numbers.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=10.0, show_default=True, help="Seconds.")
@click.option("--max-rows", type=click.IntRange(1, 10_000_000), default=10_000, show_default=True)
@click.option(
    "--max-bytes",
    type=click.IntRange(1_000, 4_000_000_000),
    default=64_000_000,
    show_default=True,
    help="Result memory cap (bytes of values); on SQLite also the largest single value.",
)
@click.option(
    "--allow-superuser", is_flag=True, help="PostgreSQL: run even when the database URL logs in as a superuser."
)
@common_options
@reads_store
@pass_ctx
def query(
    ctx: Context,
    sql: str,
    params: tuple[tuple[str, str], ...],
    fmt: str,
    timeout: float,
    max_rows: int,
    max_bytes: int,
    allow_superuser: bool,
) -> None:
    """Run one read-only SQL statement (bound parameters, limits on time, rows and memory)."""
    from jobsift.publish.sql import run_query

    ctx.engine  # noqa: B018 - opens (and migrates) the store once, as every command does
    result = run_query(
        ctx.config.database.url,
        sql,
        {k: _number(v) for k, v in params},
        timeout=timeout,
        max_rows=max_rows,
        max_bytes=max_bytes,
        allow_superuser=allow_superuser,
    )
    if result.renamed:
        click.echo(
            "note: duplicate column names renamed: "
            + ", ".join(printable(f"{old} -> {new}") for old, new in result.renamed),
            err=True,
        )
    if fmt == "json":
        click.echo(dumps(result.dicts()))
    elif fmt == "csv":
        write_csv(result.dicts(), result.columns, sys.stdout)
    else:
        from rich.table import Table

        table = Table()
        for c in result.columns:
            table.add_column(text(c))
        for row in result.rows:
            table.add_row(*(text("" if v is None else v) for v in row))
        make_console().print(table)
        click.echo(f"{len(result.rows)} rows in {result.elapsed_ms:.0f} ms", err=True)
    if result.truncated:
        cap = f"{max_rows} rows (--max-rows)" if result.cut_by == "rows" else f"{max_bytes:,} bytes (--max-bytes)"
        click.echo(f"warning: stopped at {len(result.rows)} rows: the result reached {cap}", err=True)


def _number(value: str) -> Any:
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            continue
    return value
