"""Core commands: init, crawl, import, jobs, sources, db, demo."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from jobsift.cli.common import (
    Context,
    common_options,
    dumps,
    pass_ctx,
    progress_bar,
    reads_store,
    write_csv,
)
from jobsift.cli.filters import filter_options, params_from
from jobsift.cli.output import Column, fitted_table, make_console, printable

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

STARTER = Path(__file__).resolve().parent.parent / "data" / "jobsift.example.toml"


JOBS_TABLE = (
    Column("id", "id", "right"),
    Column("quality", "quality", "right"),
    Column("flags", "flags"),
    Column("title", "title"),
    Column("budget", "budget", "right"),
    Column("age", "age", "right"),
    Column("source", "source"),
)

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


def print_jobs_table(rows: list[dict[str, Any]], *, title: str | None = None) -> None:
    """The listing, fitted to the terminal: reasons under each title; source, age, budget and flags
    fold under the title too when the terminal is narrow."""
    from jobsift.publish.present import age_text, budget_text

    console = make_console()
    cells = [
        {
            "id": str(r["id"]),
            "quality": "" if r.get("quality") is None else f"{r['quality']:.0f}",
            "flags": list(r.get("flags") or []) or "-",
            "title": r["title"],
            "budget": budget_text(r.get("budget")),
            "age": age_text(r.get("posted_at") or r.get("first_seen_at")),
            "source": r["source"],
        }
        for r in rows
    ]
    notes = [[x.get("text", "") for x in (r.get("reasons") or []) if x.get("flag")][:2] for r in rows]
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


def print_basis_notes(rows: list[dict[str, Any]]) -> None:
    """What the listed ghost figures rest on, once (defaults not yet calibrated, or the calibration)."""
    import textwrap

    from jobsift.publish.present import basis_notes

    width = make_console().width
    for note in basis_notes(rows):
        click.echo(textwrap.fill(printable(note), width=max(40, width)))


def print_flag_examples(rows: list[dict[str, Any]], db_url: str) -> dict[str, int]:
    """For each flag, the worst posting carrying it and the reasons behind that flag; returns flag → id."""
    from jobsift.scoring.flags import flag_codes

    click.echo("\nWhy postings were flagged (one example per flag):")
    examples: dict[str, int] = {}
    for flag in flag_codes():
        flagged = [r for r in rows if flag in (r.get("flags") or [])]
        if not flagged:
            click.echo(f"  {flag}: no posting in this run")
            continue
        # Prefer a posting not shown yet with the fewest other flags: the clearest example.
        shown = set(examples.values())
        worst = min(flagged, key=lambda r: (r["id"] in shown, len(r.get("flags") or []), r.get("quality") or 0))
        examples[flag] = worst["id"]
        why = [x["text"] for x in worst.get("reasons") or [] if x.get("flag") == flag and x.get("text")]
        click.echo(f"  {flag} ({len(flagged)} postings), e.g. #{worst['id']} {printable(repr(worst['title'][:60]))}:")
        for text in why[:4]:
            click.echo(f"      - {printable(text)}")
        click.echo(f"      full breakdown: jobsift --db {db_url} explain {worst['id']}")
    return examples


def print_explain_excerpt(engine: Engine, job_id: int, db_url: str, top: int = 5) -> None:
    """What ``jobsift explain`` shows for one posting, in short: the ghost probability as the sum of
    its largest signal contributions, and whether recomputing the stored score reproduces it."""
    from jobsift.scoring.explain import explain
    from jobsift.scoring.rules import sigmoid

    data = explain(engine, job_id, db_url)
    click.echo(f"\nWhat 'jobsift explain {job_id}' shows, in short:")
    signals = sorted((s for s in data["signals"] if s["contribution"]), key=lambda s: -abs(s["contribution"]))
    z = data["ghost_logit"]
    click.echo(
        f"  {data['ghost_words']}: figure {sigmoid(z):.2f} = sigmoid({z:+.2f}): "
        f"intercept {data['ghost_intercept']:+.2f} plus {len(signals)} signals, the largest:"
    )
    for s in signals[:top]:
        click.echo(f"      {s['contribution']:+.2f}  {s['signal']:<22} {printable(s['meaning'])}")
    click.echo(f"  {printable(data['basis_line'])}")
    if data["reproduced"]:
        click.echo(f"  recomputed from the stored features with {data['model_version']}: identical")
    else:
        click.echo(f"  not reproduced: {', '.join(data['differences'])}")


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


def register(main: click.Group) -> None:
    main.add_command(crawl)
    main.add_command(import_)
    main.add_command(jobs)
    main.add_command(sources)
    main.add_command(db)
    main.add_command(demo)


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
    from jobsift.crawler.importer import import_files
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
    if report.items == 0 and report.errors:
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
        click.echo(dumps(rows))
    elif fmt == "csv":
        write_csv(rows, JOB_COLUMNS, sys.stdout)
    else:
        print_jobs_table(rows)
        print_basis_notes(rows)
        if not rows:
            click.echo("no postings match (try 'jobsift crawl' or fewer filters)", err=True)


@click.group()
def sources() -> None:
    """Show source health, list formats, or test one source without storing."""


@sources.command("list", epilog="Example:\n\n    jobsift sources list --json")
@click.option("--json", "as_json", is_flag=True)
@common_options
@pass_ctx
def sources_list(ctx: Context, as_json: bool) -> None:
    """Each source's health: last outcome, last success, last error, items last run."""
    from sqlalchemy import func, select

    from jobsift.store import sources as repo
    from jobsift.store.schema import postings
    from jobsift.store.schema import sources as sources_t

    with ctx.engine.begin() as conn:
        repo.sync_sources(conn, ctx.config.sources)
        per_source = select(postings.c.source, func.count()).group_by(postings.c.source)
        counts: dict[str, int] = dict(conn.execute(per_source).all())
        rows = [dict(r._mapping) for r in conn.execute(select(sources_t).order_by(sources_t.c.name))]
    for r in rows:
        r["postings"] = counts.get(r["name"], 0)
        r.pop("lease_owner", None)
        r.pop("lease_expires_at", None)
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
        b = budget_text(asdict(p.budget) if p.budget else None)
        click.echo(f"  - {printable(p.title[:70])}  {b}  {printable(p.url)}")


@sources.command("formats", epilog="Example:\n\n    jobsift sources formats")
def sources_formats() -> None:
    """List the feed formats jobsift can parse."""
    from jobsift.crawler.sources import all_formats

    for name, fmt in all_formats().items():
        click.echo(f"{name:<16} {fmt.description}")


@click.group()
def db() -> None:
    """Database maintenance: migrations and the like."""


@db.command("upgrade", epilog="Example:\n\n    jobsift db upgrade --db postgresql+psycopg://jobsift@localhost/jobsift")
@common_options
@pass_ctx
def db_upgrade(ctx: Context) -> None:
    """Run pending schema migrations (Alembic)."""
    from jobsift.store.db import current_revision, make_engine, upgrade
    from jobsift.store.postings import count_needs_scoring

    engine = make_engine(ctx.config.database.url)
    try:
        before = current_revision(engine)
        after = upgrade(engine)
        pending = count_needs_scoring(engine) if before != after else 0
    finally:
        engine.dispose()
    click.echo(f"database at revision {after}" + ("" if before == after else f" (was {before or 'empty'})"))
    if pending:
        click.echo(
            f"{pending} postings need scoring (the scoring changed): the next crawl rescores them, "
            "or run 'jobsift score --all' now"
        )


@db.command(
    "analyst-role", epilog="Example:\n\n    jobsift db analyst-role --db postgresql+psycopg://jobsift@localhost/jobsift"
)
@click.option("--role", default="jobsift_analyst", show_default=True, help="Name of the read-only role.")
@click.option(
    "--password-env",
    default=None,
    metavar="VAR",
    help="Let the role log in, with the password in this environment variable.",
)
@common_options
@pass_ctx
def db_analyst_role(ctx: Context, role: str, password_env: str | None) -> None:
    """PostgreSQL: create the read-only role that `jobsift query` runs analyst SQL as (see docs/analysts.md)."""
    import os

    from sqlalchemy.exc import DBAPIError

    from jobsift.publish.sql_guard import create_analyst_role

    if not ctx.config.database.url.startswith("postgresql"):
        raise click.UsageError("analyst-role is for PostgreSQL stores (SQLite is opened read-only by the OS)")
    password = None
    if password_env:
        password = os.environ.get(password_env)
        if not password:
            raise click.UsageError(f"--password-env {password_env}: that environment variable is empty")
    try:
        with ctx.engine.begin() as conn:
            done = create_analyst_role(conn, role, password=password)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--role") from None
    except DBAPIError as exc:
        first = str(exc.orig).splitlines()[0] if str(exc.orig) else type(exc.orig).__name__
        raise click.ClickException(f"cannot create role {role}: {first}") from None
    for line in done:
        click.echo(line)


@click.command(epilog="Example:\n\n    jobsift demo --dir ./jobsift-demo")
@click.option(
    "--dir",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("jobsift-demo"),
    show_default=True,
    help="Where the demo writes its files.",
)
def demo(out_dir: Path) -> None:
    """Run the whole pipeline offline on bundled demo feeds and show the result."""
    from jobsift.demo.run import run_demo
    from jobsift.store.db import make_engine
    from jobsift.store.queries import JobFilter, list_jobs

    result = run_demo(out_dir, say=click.echo)
    for o in sorted(result.crawl.outcomes, key=lambda o: o.name):
        why = f" ({o.reason})" if o.reason else ""
        click.echo(printable(f"  {o.name:<22} {o.outcome:<12} {o.items} items{why}"))
    db_url = f"sqlite:///{result.db_path}"
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = list_jobs(conn, JobFilter(limit=200, order="quality"))
        print_jobs_table(rows, title=f"{len(rows)} demo postings, best first")
        print_basis_notes(rows)
        examples = print_flag_examples(rows, db_url)
        if examples:  # the ghost example when the run has one: its signals are what explain adds
            print_explain_excerpt(engine, examples.get("ghost", next(iter(examples.values()))), db_url)
        from jobsift.demo.applications import show as show_marketplace

        show_marketplace(engine, db_url, click.echo)
    finally:
        engine.dispose()
    click.echo("\nFiles:")
    for label, path in result.files.items():
        click.echo(f"  {label:<10} {path}")
    click.echo(f"\nTry: jobsift --db sqlite:///{result.db_path} jobs --exclude-flag scam --exclude-flag ghost")
    click.echo(
        f"See it in a browser: jobsift --db sqlite:///{result.db_path} serve --port 8080"
        "  (then open http://127.0.0.1:8080/)"
    )
