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
    is_tty,
    pass_ctx,
    progress_bar,
    reads_store,
    write_csv,
)
from jobsift.cli.filters import filter_options, params_from

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

STARTER = Path(__file__).resolve().parent.parent / "data" / "jobsift.example.toml"


def print_jobs_table(rows: list[dict[str, Any]], *, title: str | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    from jobsift.publish.present import age_text, budget_text

    table = Table(title=title, show_lines=False, expand=False)
    for col, kw in (("id", {"justify": "right"}), ("quality", {"justify": "right"}), ("flags", {}),
                    ("title", {"max_width": 48, "overflow": "ellipsis", "no_wrap": True}),
                    ("budget", {"justify": "right"}), ("source", {}), ("age", {"justify": "right"}),
                    ("why", {"max_width": 60, "overflow": "fold"})):
        table.add_column(col, **kw)
    for r in rows:
        q = r.get("quality")
        reasons = [x.get("text", "") for x in (r.get("reasons") or []) if x.get("flag")]
        table.add_row(
            str(r["id"]), "" if q is None else f"{q:.0f}", ",".join(r.get("flags") or []) or "-",
            r["title"], budget_text(r.get("budget")), r["source"],
            age_text(r.get("posted_at") or r.get("first_seen_at")), "; ".join(reasons[:2]),
        )
    Console(width=None if is_tty() else 200).print(table)


def print_flag_examples(rows: list[dict[str, Any]], db_url: str) -> list[int]:
    """For each flag, the worst posting carrying it and the reasons behind that flag; returns their ids."""
    from jobsift.model import FLAG_CODES

    click.echo("\nWhy postings were flagged (one example per flag):")
    examples: list[int] = []
    for flag in FLAG_CODES:
        flagged = [r for r in rows if flag in (r.get("flags") or [])]
        if not flagged:
            click.echo(f"  {flag}: no posting in this run")
            continue
        # Prefer a posting not shown yet with the fewest other flags: the clearest example.
        worst = min(flagged, key=lambda r: (r["id"] in examples, len(r.get("flags") or []), r.get("quality") or 0))
        examples.append(worst["id"])
        why = [x["text"] for x in worst.get("reasons") or [] if x.get("flag") == flag and x.get("text")]
        click.echo(f"  {flag} ({len(flagged)} postings), e.g. #{worst['id']} {worst['title'][:60]!r}:")
        for text in why[:4]:
            click.echo(f"      - {text}")
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
    click.echo(f"  ghost probability {sigmoid(data['ghost_logit']):.0%} = sigmoid({data['ghost_logit']:+.2f}): "
               f"intercept {data['ghost_intercept']:+.2f} plus {len(signals)} signals, the largest:")
    for s in signals[:top]:
        click.echo(f"      {s['contribution']:+.2f}  {s['signal']:<22} {s['meaning']}")
    if data["reproduced"]:
        click.echo(f"  recomputed from the stored features with {data['model_version']}: identical")
    else:
        click.echo(f"  not reproduced: {', '.join(data['differences'])}")


JOB_COLUMNS = ("id", "source", "title", "url", "quality", "flags", "budget", "client", "posted_at",
               "first_seen_at", "country", "category", "skills", "reasons")


def register(main: click.Group) -> None:
    main.add_command(init)
    main.add_command(crawl)
    main.add_command(import_)
    main.add_command(jobs)
    main.add_command(sources)
    main.add_command(db)
    main.add_command(demo)


@click.command(epilog="Example:\n\n    jobsift init --path jobsift.toml")
@click.option("--path", type=click.Path(dir_okay=False, path_type=Path), default=Path("jobsift.toml"),
              show_default=True, help="Where to write the starter config.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: Path, force: bool) -> None:
    """Write a commented starter jobsift.toml with real public job feeds."""
    if path.exists() and not force:
        raise click.UsageError(f"{path} exists; use --force to overwrite")
    path.write_text(STARTER.read_text(encoding="utf-8"), encoding="utf-8")
    click.echo(f"wrote {path}: edit it, then run 'jobsift crawl'")


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
        done = pipeline.run(names or None, trigger="cli", progress=lambda o: advance(o.name),
                            log_outcomes=False)  # the table (or the JSON) below says each outcome once
    report, scored = done.crawl, done.after.scored
    for err in done.after.errors:
        click.echo(f"warning: {err}", err=True)
    if done.after.push is not None:
        for err in done.after.push.errors:
            click.echo(f"warning: push: {err}", err=True)
    if as_json:
        click.echo(dumps({"run_id": report.run_id, "status": report.status,
                          "sources": [asdict(o) for o in report.outcomes],
                          "stats": dict(report.stats), "scored": scored,
                          "pushed": None if done.after.push is None else done.after.push.sent}))
    else:
        for o in sorted(report.outcomes, key=lambda o: o.name):
            detail = f"{o.items} items, {o.new} new, {o.updated} updated" if o.outcome in ("ok", "partial") else ""
            why = f" ({o.reason})" if o.reason else ""
            click.echo(f"{o.name:<24} {o.outcome:<13} {detail}{why}")
        click.echo(f"run {report.run_id}: {report.status}, {report.new} new postings"
                   + (f", {scored} scored" if scored is not None else ""))
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


@click.command("import", epilog="Example:\n\n    jobsift import saved/*.rss --format rss --source archive")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", required=True, help="Parser to use (see 'jobsift sources formats').")
@click.option("--source", "source", default=None, help="Source name to store under (default: the format).")
@click.option("--no-score", is_flag=True, help="Store only.")
@common_options
@pass_ctx
def import_(ctx: Context, paths: tuple[Path, ...], fmt: str, source: str | None, no_score: bool) -> None:
    """Ingest saved feed files offline with the same parsers the crawler uses."""
    from jobsift.crawler.run import import_files
    from jobsift.crawler.sources import get_format

    get_format(fmt)
    with progress_bar(len(paths), "importing") as advance:
        report = import_files(ctx.engine, list(paths), fmt, source or fmt, progress=lambda p: advance(p.name),
                              max_bytes=ctx.config.fetch.max_bytes)
    scored = None if no_score else _score_pending(ctx)
    for err in report.errors:
        click.echo(f"warning: {err}", err=True)
    click.echo(f"imported {report.files} files: {report.items} postings, {report.new} new, "
               f"{report.updated} updated" + (f", {scored} scored" if scored is not None else ""))
    if report.items == 0 and report.errors:
        sys.exit(1)


@click.command(epilog="Examples:\n\n    jobsift jobs --since 2d --min-quality 60 --exclude-flag ghost\n"
               "    jobsift jobs --skill python,django --country 'United States' --exclude-keyword unpaid\n"
               "    jobsift jobs --format json --source remoteok | jq '.[0].reasons'")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@filter_options
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@common_options
@reads_store
@pass_ctx
def jobs(ctx: Context, fmt: str, limit: int, **kw: Any) -> None:
    """List stored postings with their quality, flags and reasons (the web page's filters)."""
    from jobsift.store.queries import list_jobs

    f = params_from(kw, limit, ctx.config.filters)
    with ctx.engine.connect() as conn:
        rows = list_jobs(conn, f)
    if fmt == "json":
        click.echo(dumps(rows))
    elif fmt == "csv":
        write_csv(rows, JOB_COLUMNS, sys.stdout)
    else:
        print_jobs_table(rows)
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

    from jobsift.store import repo
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
    from rich.console import Console
    from rich.table import Table

    from jobsift.publish.present import age_text

    t = Table()
    for c in ("name", "format", "outcome", "last success", "items", "postings", "failures", "last error"):
        t.add_column(c)
    for r in rows:
        t.add_row(r["name"], r["format"], r["last_outcome"] or "never", age_text(r["last_success_at"]),
                  str(r["last_items"] or ""), str(r["postings"]), str(r["consecutive_failures"]),
                  (r["last_error"] or "")[:80])
    Console(width=None if is_tty() else 200).print(t)


@sources.command("test", epilog="Example:\n\n    jobsift sources test remoteok")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print every parsed posting as JSON.")
@common_options
@pass_ctx
def sources_test(ctx: Context, name: str, as_json: bool) -> None:
    """Fetch one source and print what would be stored, storing nothing."""
    from jobsift.crawler.run import test_source
    from jobsift.publish.present import budget_text

    fetched, result = test_source(ctx.config, name)
    if as_json:
        click.echo(dumps([p.to_dict() for p in result.postings]))
        return
    click.echo(f"{fetched.url}: HTTP {fetched.status}, {len(fetched.body):,} bytes, "
               f"{result.items_seen} entries, {len(result.postings)} postings"
               + (" (malformed, salvaged)" if result.bozo else ""))
    for w in result.warnings[:10]:
        click.echo(f"  warning: {w}")
    for p in result.postings[:20]:
        b = budget_text(asdict(p.budget) if p.budget else None)
        click.echo(f"  - {p.title[:70]}  {b}  {p.url}")


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

    engine = make_engine(ctx.config.database.url)
    try:
        before = current_revision(engine)
        after = upgrade(engine)
    finally:
        engine.dispose()
    click.echo(f"database at revision {after}" + ("" if before == after else f" (was {before or 'empty'})"))


@click.command(epilog="Example:\n\n    jobsift demo --dir ./jobsift-demo")
@click.option("--dir", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("jobsift-demo"), show_default=True, help="Where the demo writes its files.")
def demo(out_dir: Path) -> None:
    """Run the whole pipeline offline on bundled demo feeds and show the result."""
    from jobsift.demo.run import run_demo
    from jobsift.store.db import make_engine
    from jobsift.store.queries import JobFilter, list_jobs

    result = run_demo(out_dir, say=click.echo)
    for o in sorted(result.crawl.outcomes, key=lambda o: o.name):
        click.echo(f"  {o.name:<22} {o.outcome:<12} {o.items} items" + (f" ({o.reason})" if o.reason else ""))
    db_url = f"sqlite:///{result.db_path}"
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = list_jobs(conn, JobFilter(limit=200, order="quality"))
        print_jobs_table(rows, title=f"{len(rows)} demo postings, best first")
        examples = print_flag_examples(rows, db_url)
        if examples:  # the first flag's example: the ghost one when the run has one
            print_explain_excerpt(engine, examples[0], db_url)
    finally:
        engine.dispose()
    click.echo("\nFiles:")
    for label, path in result.files.items():
        click.echo(f"  {label:<10} {path}")
    click.echo(f"\nTry: jobsift --db sqlite:///{result.db_path} jobs --exclude-flag ghost")
    click.echo(f"See it in a browser: jobsift --db sqlite:///{result.db_path} serve --port 8080"
               "  (then open http://127.0.0.1:8080/)")
