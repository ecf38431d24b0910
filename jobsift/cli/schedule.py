"""Running continuously: ``schedule`` (daemon), ``worker``, ``db prune`` and ``db stats``."""

from __future__ import annotations

import logging
import sys
from dataclasses import asdict

import click

from jobsift.cli.common import Context, common_options, dumps, pass_ctx


def register(main: click.Group) -> None:
    main.add_command(schedule)
    main.add_command(worker)
    db = main.commands.get("db")
    if isinstance(db, click.Group):
        db.add_command(db_prune)
        db.add_command(db_stats)


def log_to_stdout(verbose: int) -> None:
    """Daemon logs: one line per event on stdout (journald and cron logs pick it up)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
    for name, level in (
        ("jobsift.scheduling", logging.DEBUG if verbose > 1 else logging.INFO),
        ("apscheduler", logging.INFO if verbose > 1 else logging.ERROR),
    ):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False


@click.command(epilog="Example:\n\n    jobsift --config /etc/jobsift/jobsift.toml schedule")
@common_options
@pass_ctx
def schedule(ctx: Context) -> None:
    """Run the scheduler daemon: every source on its interval, scoring, the daily digest and prune.

    Stops on SIGTERM or SIGINT within 10 seconds: crawls in flight are cancelled, a batch being
    written commits first, the run is marked aborted and its sources stay due.
    """
    from jobsift.scheduling.daemon import run_daemon

    log_to_stdout(ctx.verbose)
    run_daemon(ctx.engine, ctx.config)


@click.command(
    epilog="Examples:\n\n    jobsift worker --once                      # cron: what is due, then exit\n"
    "    jobsift --db postgresql+psycopg://jobsift@db/jobsift worker   # one of many"
)
@click.option("--once", is_flag=True, help="Crawl what is due now, run due daily jobs, then exit.")
@click.option(
    "--batch",
    type=click.IntRange(1, 10_000),
    default=None,
    help="Sources claimed at a time (default: fetch.concurrency).",
)
@click.option(
    "--poll",
    type=click.FloatRange(0.2, 3600),
    default=60.0,
    show_default=True,
    help="Longest sleep, in seconds, when nothing is due.",
)
@common_options
@pass_ctx
def worker(ctx: Context, once: bool, batch: int | None, poll: float) -> None:
    """Claim due sources (leases in the database), crawl them, release them; repeat.

    Any number of workers on any machines can share one PostgreSQL database. With SQLite only
    one worker process runs at a time (a second one refuses to start).
    """
    from jobsift.scheduling.worker import run_worker

    log_to_stdout(ctx.verbose)
    report = run_worker(ctx.engine, ctx.config, once=once, batch=batch, poll=poll)
    if once:
        click.echo(
            f"worker done: {report.sources} sources crawled in {report.runs} runs"
            + (f"; daily jobs: {', '.join(report.daily_jobs)}" if report.daily_jobs else "")
        )


@click.command("prune", epilog="Example:\n\n    jobsift db prune --days 30 --vacuum")
@click.option(
    "--days", type=click.IntRange(1, 100_000), default=None, help="Retention in days (default: schedule.prune_days)."
)
@click.option("--vacuum", is_flag=True, help="Then give the space back (SQLite VACUUM; PostgreSQL VACUUM ANALYZE).")
@click.option("--json", "as_json", is_flag=True)
@common_options
@pass_ctx
def db_prune(ctx: Context, days: int | None, vacuum: bool, as_json: bool) -> None:
    """Drop raw payloads, fetch logs, runs and client snapshots past the retention.

    Postings' facts, latest scores, labels, clients and digests are kept. Superseded scores
    are dropped only when schedule.score_history_days is set.
    """
    from jobsift.store.maintenance import prune

    cfg = ctx.config
    keep = days or cfg.schedule.prune_days
    report = prune(ctx.engine, days=keep, score_history_days=cfg.schedule.score_history_days, vacuum=vacuum)
    if as_json:
        click.echo(dumps({"days": keep, **report.as_dict()}))
    else:
        click.echo(f"pruned past {keep} days: {report}")


@click.command("stats", epilog="Example:\n\n    jobsift db stats --days 7 --json")
@click.option(
    "--days", type=click.IntRange(1, 3650), default=7, show_default=True, help="Window for the growth per day."
)
@click.option("--json", "as_json", is_flag=True)
@common_options
@pass_ctx
def db_stats(ctx: Context, days: int, as_json: bool) -> None:
    """Rows and size per table, and growth per day."""
    from jobsift.store.maintenance import database_bytes, table_stats

    stats = table_stats(ctx.engine, days=days)
    total = database_bytes(ctx.engine)
    if as_json:
        click.echo(dumps({"database_bytes": total, "days": days, "tables": [asdict(s) for s in stats]}))
        return
    from rich.table import Table

    from jobsift.cli.output import make_console

    t = Table(title=f"database {_size(total)}; growth over the last {days} days")
    for col in ("table", "rows", "size", "rows/day", "size/day"):
        t.add_column(col, justify="left" if col == "table" else "right")
    for s in stats:
        t.add_row(
            s.table,
            f"{s.rows:,}",
            _size(s.bytes),
            "" if s.rows_per_day is None else f"{s.rows_per_day:,.1f}",
            _size(s.bytes_per_day),
        )
    make_console().print(t)


def _size(n: float | None) -> str:
    if n is None:
        return ""
    for unit in ("B", "KB", "MB"):
        if n < 1024:
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} GB"
