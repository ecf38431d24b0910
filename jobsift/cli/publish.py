"""Publishing commands: serve, feed, export, report (sending: ``cli/send.py``; SQL: ``cli/query.py``)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from jobsift.cli.common import Context, common_options, pass_ctx, reads_store
from jobsift.cli.filters import filter_options, params_from


def register(main: click.Group) -> None:
    for command in (serve, feed, export, report):
        main.add_command(command)


@click.command(
    epilog="Example:\n\n    jobsift serve --host 127.0.0.1 --port 8080\n    "
    "# then open http://127.0.0.1:8080/ or subscribe to http://127.0.0.1:8080/feed.xml?hide=ghost"
)
@click.option("--host", help="Address to listen on (default: serve.host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: serve.port, 8080).")
@common_options
@reads_store
@pass_ctx
def serve(ctx: Context, host: str | None, port: int | None) -> None:
    """Serve the web page, /feed.xml, /feed.atom and the JSON API (/api/jobs, /openapi.json)."""
    from jobsift.publish.server import bind_socket, serve_forever
    from jobsift.publish.web import create_app

    cfg = ctx.config
    host, port = host or cfg.serve.host, port or cfg.serve.port
    cfg = replace(cfg, serve=replace(cfg.serve, host=host, port=port))  # writes need serve.token off loopback
    from jobsift.publish.workflow_web import is_loopback

    if not is_loopback(host):
        click.echo(
            "changes (save, hide, applied...) need serve.token: log in at /login"
            if cfg.serve.token
            else "serve.token is not set: the page is read-only on this address",
            err=True,
        )
    app = create_app(ctx.engine, cfg)  # a missing or unusable store is reported first
    sock = bind_socket(host, port)  # then a busy port, before claiming to serve
    click.echo(f"jobsift serving on http://{host}:{port}/ (feeds: /feed.xml, /feed.atom; API: /docs). Ctrl-C stops.")
    serve_forever(app, host, port, log_level="warning" if not ctx.verbose else "info", sock=sock)


@click.command(
    epilog="Example:\n\n    jobsift feed --out ~/public/jobs.xml --exclude-flag ghost --min-quality 60 --skill python"
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write.")
@click.option("--atom", is_flag=True, help="Write Atom instead of RSS 2.0.")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True, help="Items in the feed.")
@click.option(
    "--base-url",
    default=None,
    help="Link for the channel and 'why this score' (default: serve.base_url, else serve host:port).",
)
@filter_options
@common_options
@reads_store
@pass_ctx
def feed(ctx: Context, /, out: Path, atom: bool, limit: int, base_url: str | None, **kw: Any) -> None:
    """Write the filtered jobs as an RSS 2.0 (or Atom) file, for cron users and static hosting."""
    from jobsift.publish.feed import render_feed
    from jobsift.store.queries import list_jobs

    cfg = ctx.config
    from jobsift.publish.webguard import public_base

    f = replace(params_from(kw, limit, cfg.filters), blocked_clients=tuple(cfg.filters.blocked_clients))
    link = base_url or public_base(cfg)
    with ctx.engine.connect() as conn:
        jobs = list_jobs(conn, f)
    body = render_feed(jobs, atom=atom, link=link)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(body)
    tmp.replace(out)  # a feed reader never sees half a file
    click.echo(f"wrote {out}: {len(jobs)} jobs ({'Atom' if atom else 'RSS 2.0'})")


@click.command(
    epilog="Examples:\n\n    jobsift export --format parquet --out jobs.parquet "
    "--since 30d --exclude-flag ghost\n"
    "    jobsift export --format jsonl --min-quality 60 | jq .title"
)
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]), default="csv", show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default=None,
    help="File to write ('-' or none: standard output).",
)
@click.option("--limit", type=click.IntRange(1), default=None, help="At most this many jobs (default: all).")
@filter_options
@common_options
@reads_store
@pass_ctx
def export(ctx: Context, /, fmt: str, out: Path | None, limit: int | None, **kw: Any) -> None:
    """Export the filtered jobs (the columns of the `jobs` view) as CSV, JSON Lines or Parquet."""
    from jobsift.publish.export import export as run_export

    f = params_from(kw, limit, ctx.config.filters)
    if out is None or str(out) == "-":
        stdout = sys.stdout.buffer
        if fmt == "parquet" and stdout.isatty():
            raise click.UsageError("parquet is binary: give --out FILE or pipe standard output to a file")
        sys.stdout.flush()
        n = run_export(ctx.engine, f, fmt, stdout)
        click.echo(f"exported {n} jobs ({fmt})", err=True)
        return
    n = run_export(ctx.engine, f, fmt, out)
    click.echo(f"wrote {out}: {n} jobs ({fmt})")


@click.command(epilog="Example:\n\n    jobsift report --out report.html --days 90")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.html"), show_default=True)
@click.option("--days", type=click.IntRange(1, 3650), default=60, show_default=True, help="Period covered.")
@common_options
@reads_store
@pass_ctx
def report(ctx: Context, out: Path, days: int) -> None:
    """Write one self-contained HTML report with plots: flags by source, budgets vs market, ghost clients, health."""
    from jobsift.publish.report import write_report

    write_report(ctx.engine, out, days=days)
    click.echo(f"wrote {out}")
    print_ledger(ctx)


def print_ledger(ctx: Context) -> None:
    """The connects ledger in the terminal, when there are applications to count."""
    from jobsift.store.workflow import count_applications, ledger

    with ctx.engine.connect() as conn:
        if not count_applications(conn):
            return
        led = ledger(conn)
    click.echo("\nConnects ledger (what your connects bought):")
    if led.headline():
        click.echo(f"  jobs {led.headline()}")
    for title, rows in (("month", led.months), ("quality when applied", led.bands), ("flag when applied", led.flags)):
        click.echo(f"  {'per ' + title:<26} apps  connects  replies  interviews  hires")
        for r in rows:
            click.echo(
                f"    {r.key:<24} {r.applications:>4}  {r.connects:>8}  {r.replies:>7}  "
                f"{r.interviews:>10}  {r.hires:>5}"
            )
