"""Sources: health (``sources list``), one source tried without storing, the formats."""

from __future__ import annotations

import click

from jobsift.cli.common import Context, common_options, dumps, pass_ctx, reads_store
from jobsift.cli.output import Column, fitted_table, make_console, printable

SOURCES_TABLE = (
    Column("name", "name"),
    Column("format", "format"),
    Column("outcome", "outcome"),
    Column("success", "last success", "right", "last success"),
    Column("items", "items", "right", "items"),
    Column("postings", "postings", "right", "postings"),
    Column("failures", "failures", "right", "failures"),
    Column("error", "last error"),
)


@click.group()
def sources() -> None:
    """Show source health, list formats, or test one source without storing."""


@sources.command("list", epilog="Example:\n\n    jobsift sources list --json")
@click.option("--json", "as_json", is_flag=True)
@common_options
@reads_store
@pass_ctx
def sources_list(ctx: Context, as_json: bool) -> None:
    """Each source's health: last outcome, last success, last error, items last run."""
    from jobsift.store.source_health import source_health
    from jobsift.store.sources import sync_sources

    with ctx.engine.begin() as conn:
        sync_sources(conn, ctx.config.sources)
        rows = source_health(conn)
    if as_json:
        click.echo(dumps(rows))
        return
    from jobsift.publish.present import age_text

    console = make_console()
    cells = [
        {
            "name": r["name"],
            "format": r["format"],
            "outcome": r["last_outcome"] or "never",
            "success": age_text(r["last_success_at"]),
            "items": str(r["last_items"] or ""),
            "postings": str(r["postings"]),
            "failures": str(r["consecutive_failures"]),
            "error": (r["last_error"] or "")[:200],
        }
        for r in rows
    ]
    console.print(
        fitted_table(
            SOURCES_TABLE,
            cells,
            main="error",
            width=console.width,
            main_min=20,
            fold_order=("success", "format", "items", "postings", "failures"),
        )
    )


@sources.command("test", epilog="Example:\n\n    jobsift sources test remoteok")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print every parsed posting as JSON.")
@common_options
@pass_ctx
def sources_test(ctx: Context, name: str, as_json: bool) -> None:
    """Fetch one source and print what would be stored, storing nothing."""
    from jobsift.crawler.request import test_source
    from jobsift.publish.present import budget_text

    fetched, result = test_source(ctx.config, name)
    if as_json:
        click.echo(dumps([p.to_dict() for p in result.postings]))
        return
    click.echo(
        f"{printable(fetched.url)}: HTTP {fetched.status}, {len(fetched.body):,} bytes, "
        f"{result.items_seen} entries, {len(result.postings)} postings"
        + (" (malformed, salvaged)" if result.bozo else "")
    )
    for w in result.warnings[:10]:
        click.echo(f"  warning: {printable(w)}")
    for p in result.postings[:20]:
        b = budget_text(p.budget)
        click.echo(f"  - {printable(p.title[:70])}  {b}  {printable(p.url)}")


@sources.command("formats", epilog="Example:\n\n    jobsift sources formats")
def sources_formats() -> None:
    """List the feed formats jobsift can parse."""
    from jobsift.crawler.sources import all_formats

    for name, fmt in all_formats().items():
        click.echo(f"{name:<16} {fmt.description}")


def register(main: click.Group) -> None:
    main.add_command(sources)
