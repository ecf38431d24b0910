"""Fetching and importing: ``crawl`` and ``import``."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from jobsift.cli.common import Context, common_options, dumps, pass_ctx, progress_bar
from jobsift.cli.output import printable


@click.command(
    epilog="Example:\n\n    jobsift crawl                 # every enabled source\n    jobsift crawl remoteok remotive"
)
@click.argument("names", nargs=-1)
@click.option("--no-score", is_flag=True, help="Store only; score later with 'jobsift score'.")
@click.option("--push", is_flag=True, help="Then push new jobs to the [[webhooks]] sinks (as the daemon does).")
@click.option("--json", "as_json", is_flag=True, help="Print the run's outcome as JSON.")
@common_options
@pass_ctx
def crawl(ctx: Context, names: tuple[str, ...], no_score: bool, push: bool, as_json: bool) -> None:
    """Fetch the configured sources once, store new postings and score them."""
    from jobsift.crawler.run import select_sources
    from jobsift.pipeline import Pipeline

    cfg = ctx.config
    selected = select_sources(cfg, names or None)
    if not selected:
        raise click.UsageError("no sources configured: run 'jobsift init' or add [[sources]] to jobsift.toml")
    pipeline = Pipeline(ctx.engine, cfg, score=not no_score, push=push)
    with progress_bar(len(selected), "crawling") as advance:
        done = pipeline.run(
            names or None, trigger="cli", progress=lambda o: advance(o.name), log_outcomes=False
        )  # the table (or the JSON) below says each outcome once
    report, scored = done.crawl, done.after.scored
    for err in done.after.errors:
        click.echo(f"warning: {err}", err=True)
    if done.after.push is not None:
        for err in done.after.push.errors:
            click.echo(f"warning: push: {err}", err=True)
    if as_json:
        click.echo(
            dumps(
                {
                    "run_id": report.run_id,
                    "status": report.status,
                    "sources": [asdict(o) for o in report.outcomes],
                    "stats": dict(report.stats),
                    "scored": scored,
                    "pushed": None if done.after.push is None else done.after.push.sent,
                }
            )
        )
    else:
        for o in sorted(report.outcomes, key=lambda o: o.name):
            detail = f"{o.items} items, {o.new} new, {o.updated} updated" if o.outcome in ("ok", "partial") else ""
            why = f" ({o.reason})" if o.reason else ""
            click.echo(printable(f"{o.name:<24} {o.outcome:<13} {detail}{why}"))
        click.echo(
            f"run {report.run_id}: {report.status}, {report.new} new postings"
            + (f", {scored} scored" if scored is not None else "")
        )
    # 1 unless every source was ok or not modified (partial, failed, aborted), or a step failed:
    # see docs/running.md#exit-codes
    if report.status != "ok" or done.after.errors:
        sys.exit(1)


def _score_pending(ctx: Context) -> int:
    from jobsift.errors import JobsiftError
    from jobsift.pipeline import Pipeline

    after = Pipeline(ctx.engine, ctx.config).after_crawl()
    if after.score is None:
        raise JobsiftError(after.errors[0])
    return after.score.scored


@click.command(
    "import",
    epilog="Examples:\n\n    jobsift import saved/*.rss --format rss --source archive\n"
    "    jobsift import openings.json --source orchard   # a configured source's format and mapping",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    default=None,
    help="Parser to use (see 'jobsift sources formats'; default: the configured --source's).",
)
@click.option(
    "--source",
    "source",
    default=None,
    help="Source name to store under (default: the format). A source configured in jobsift.toml "
    "lends its format and options, e.g. a declarative mapping.",
)
@click.option("--no-score", is_flag=True, help="Store only.")
@common_options
@pass_ctx
def import_(ctx: Context, paths: tuple[Path, ...], fmt: str | None, source: str | None, no_score: bool) -> None:
    """Ingest saved feed files offline with the same parsers the crawler uses."""
    from jobsift.crawler.run import import_files
    from jobsift.crawler.sources import get_format

    fmt, options = _import_format(ctx, fmt, source)
    get_format(fmt)
    with progress_bar(len(paths), "importing") as advance:
        report = import_files(
            ctx.engine,
            list(paths),
            fmt,
            source or fmt,
            options=options,
            progress=lambda p: advance(p.name),
            max_bytes=ctx.config.fetch.max_bytes,
        )
    scored = None if no_score else _score_pending(ctx)
    for err in report.errors:
        click.echo(f"warning: {printable(err)}", err=True)
    click.echo(
        f"imported {report.files} files: {report.items} postings, {report.new} new, "
        f"{report.updated} updated" + (f", {scored} scored" if scored is not None else "")
    )
    # Any file refused, unreadable or only partly parsed makes the import partial: exit 1, as a
    # partial crawl does (docs/running.md#exit-codes); the files that could be read are stored.
    if report.errors:
        sys.exit(1)


def _import_format(ctx: Context, fmt: str | None, source: str | None) -> tuple[str, dict[str, Any]]:
    """The format and parser options of an import: from the command line, or a configured source's."""
    configured = next((s for s in ctx.config.sources if s.name == source), None) if source else None
    if configured is None:
        if fmt is None:
            raise click.UsageError("give --format NAME, or --source NAME of a source configured in jobsift.toml")
        if fmt == "declarative":
            raise click.UsageError(
                "--format declarative needs a mapping: pass --source NAME of a [[sources]] entry "
                'with format = "declarative" and its [sources.options]'
            )
        return fmt, {}
    if fmt is not None and fmt != configured.format:
        raise click.UsageError(
            f"source {source!r} is configured with format {configured.format!r}, not {fmt!r} "
            "(drop --format to use it, or store under another --source name)"
        )
    return configured.format, dict(configured.options)


def register(main: click.Group) -> None:
    main.add_command(crawl)
    main.add_command(import_)
