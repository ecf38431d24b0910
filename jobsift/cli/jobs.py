"""The listing: ``jobs``, and the table every listing prints (``demo`` shows it too)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from jobsift.cli.common import Context, common_options, dumps, pass_ctx, reads_store, write_csv
from jobsift.cli.filters import filter_options, params_from
from jobsift.cli.output import Column, fitted_table, make_console, printable

if TYPE_CHECKING:
    from jobsift.store.records import Job


JOBS_TABLE = (
    Column("id", "id", "right"),
    Column("quality", "quality", "right"),
    Column("flags", "flags"),
    Column("title", "title"),
    Column("budget", "budget", "right"),
    Column("age", "age", "right"),
    Column("source", "source"),
)

JOB_COLUMNS = (
    "id",
    "source",
    "title",
    "url",
    "quality",
    "flags",
    "budget",
    "client",
    "posted_at",
    "first_seen_at",
    "country",
    "category",
    "skills",
    "reasons",
)


def print_jobs_table(rows: list[Job], *, title: str | None = None) -> None:
    """The listing, fitted to the terminal: reasons under each title; source, age, budget and flags
    fold under the title too when the terminal is narrow."""
    from jobsift.publish.present import age_text, budget_text

    console = make_console()
    cells = [
        {
            "id": str(r.id),
            "quality": "" if r.quality is None else f"{r.quality:.0f}",
            "flags": list(r.flags) or "-",
            "title": r.title,
            "budget": budget_text(r.budget),
            "age": age_text(r.posted_at or r.first_seen_at),
            "source": r.source,
        }
        for r in rows
    ]
    notes = [[x.get("text", "") for x in r.reasons if x.get("flag")][:2] for r in rows]
    console.print(
        fitted_table(
            JOBS_TABLE,
            cells,
            main="title",
            width=console.width,
            notes=notes,
            title=title,
            fold_order=("source", "age", "budget", "flags"),
        )
    )


def print_basis_notes(rows: list[Job]) -> None:
    """What the listed ghost figures rest on, once (defaults not yet calibrated, or the calibration)."""
    import textwrap

    from jobsift.publish.present import basis_notes

    width = make_console().width
    for note in basis_notes(rows):
        click.echo(textwrap.fill(printable(note), width=max(40, width)))


@click.command(
    epilog="Examples:\n\n    jobsift jobs --since 2d --min-quality 60 --exclude-flag ghost\n"
    "    jobsift jobs --skill python,django --country 'United States' --exclude-keyword unpaid\n"
    "    jobsift jobs --format json --source remoteok | jq '.[0].reasons'"
)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@filter_options
@click.option(
    "--outcome",
    "outcome",
    multiple=True,
    type=click.Choice(["open", "hired", "closed_no_hire", "unknown", "gone"]),
    help="Only jobs with this observed outcome (repeatable).",
)
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--new", "new_only", is_flag=True, help="Only jobs first seen since your last 'jobs --new'.")
@click.option("--saved", "saved_only", is_flag=True, help="Only jobs you saved ('jobsift mark ID save').")
@click.option("--include-hidden", is_flag=True, help="Show jobs you hid too.")
@common_options
@reads_store
@pass_ctx
def jobs(
    ctx: Context,
    /,
    fmt: str,
    limit: int,
    new_only: bool,
    saved_only: bool,
    include_hidden: bool,
    outcome: tuple[str, ...],
    **kw: Any,
) -> None:
    """List stored postings with their quality, flags and reasons (the web page's filters)."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from jobsift.store.queries import list_jobs

    f = replace(
        params_from(kw, limit, ctx.config.filters),
        saved_only=saved_only,
        include_hidden=include_hidden,
        blocked_clients=tuple(ctx.config.filters.blocked_clients),
    )
    if outcome:
        f = replace(f, outcomes=outcome)
    with ctx.engine.begin() as conn:
        if new_only:
            from jobsift.store.workflow import visit

            since = visit(conn, "cli", datetime.now(UTC))
            if since is None:
                click.echo("first 'jobs --new': every job counts as seen from now on", err=True)
            f = replace(f, new_since=since or datetime.now(UTC))
        rows = list_jobs(conn, f)
    if fmt == "json":
        click.echo(dumps([r.to_json() for r in rows]))
    elif fmt == "csv":
        write_csv([r.to_json() for r in rows], JOB_COLUMNS, sys.stdout)
    else:
        print_jobs_table(rows)
        print_basis_notes(rows)
        if not rows:
            click.echo("no postings match (try 'jobsift crawl' or fewer filters)", err=True)


def register(main: click.Group) -> None:
    main.add_command(jobs)
