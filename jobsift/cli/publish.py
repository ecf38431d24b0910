"""Publishing commands: serve, feed, digest, push, query, export, report."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from jobsift.cli.common import Context, common_options, dumps, pass_ctx, reads_store, write_csv
from jobsift.cli.filters import filter_options, params_from
from jobsift.cli.output import make_console, printable, printable_block, text


def register(main: click.Group) -> None:
    for command in (serve, feed, digest, push, query, export, report):
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
    epilog="Examples:\n\n    jobsift digest     # send today's digest to digest.recipients\n"
    "    jobsift digest --dry-run --to me@example.com --out digest.html"
)
@click.option("--to", "to", multiple=True, help="Recipient (repeatable; default: digest.recipients).")
@click.option("--smtp-host", help="Override smtp.host.")
@click.option("--smtp-port", type=click.IntRange(1, 65535), help="Override smtp.port.")
@click.option("--smtp-security", type=click.Choice(["none", "starttls", "ssl"]), help="Override smtp.security.")
@click.option("--smtp-user", help="Override smtp.user (the password comes from smtp.password_env).")
@click.option("--period", help="Digest period key (default: today's date in digest.timezone).")
@click.option("--dry-run", is_flag=True, help="Render only: send nothing, record nothing.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --dry-run: write the digest here (.html, .txt, or .eml for the whole message).",
)
@common_options
@reads_store
@pass_ctx
def digest(
    ctx: Context,
    to: tuple[str, ...],
    smtp_host: str | None,
    smtp_port: int | None,
    smtp_security: str | None,
    smtp_user: str | None,
    period: str | None,
    dry_run: bool,
    out: Path | None,
) -> None:
    """Email the best new jobs since each recipient's last digest (once per period; failed sends retry)."""
    from jobsift.publish.digest import preview, send_digests, to_message

    cfg = ctx.config
    overrides: dict[str, Any] = {
        k: v
        for k, v in (("host", smtp_host), ("port", smtp_port), ("security", smtp_security), ("user", smtp_user))
        if v
    }
    smtp = replace(cfg.smtp, **overrides)
    cfg = replace(cfg, smtp=smtp)
    recipients = list(to) or list(cfg.digest.recipients)
    if dry_run:
        d = preview(ctx.engine, cfg, recipients[0] if recipients else "you@example.com", period=period)
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
            suffix = out.suffix.lower()
            if suffix == ".eml":
                out.write_bytes(bytes(to_message(d, cfg.digest.sender)))
            else:
                out.write_text(d.text if suffix == ".txt" else d.html, encoding="utf-8")
            click.echo(printable(f"wrote {out}: {len(d.jobs)} jobs, subject {d.subject!r} (dry run: nothing sent)"))
        else:
            click.echo(printable_block(d.text))
        return
    if out:
        raise click.UsageError("--out needs --dry-run")
    if not recipients:
        raise click.UsageError("no recipients: set digest.recipients in jobsift.toml or pass --to")
    run = send_digests(ctx.engine, cfg, period=period, recipients=recipients)
    for o in run.outcomes:
        detail = {
            "sent": f"{o.count} jobs",
            "skipped": "already sent (or being sent) this period",
            "failed": f"will retry next run: {o.error}",
        }.get(o.status, "")
        click.echo(printable(f"{o.recipient:<32} {o.period} {o.status:<8} {detail}"))
    if run.failed:
        sys.exit(1)


@click.command(epilog="Example:\n\n    jobsift push        # POST new jobs to every [[webhooks]] sink")
@click.option("--since", help="Consider jobs first seen within this age (default 2d).")
@common_options
@reads_store
@pass_ctx
def push(ctx: Context, since: str | None) -> None:
    """POST new jobs above each webhook's min_quality (json, slack, discord or n8n shape), once per sink."""
    from jobsift.publish.values import parse_age
    from jobsift.publish.webhooks import push_new

    cfg = ctx.config
    if not cfg.webhooks:
        raise click.UsageError("no webhooks configured: add [[webhooks]] url = ... to jobsift.toml")
    try:
        when = parse_age(since)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    report = push_new(ctx.engine, cfg, since=when)
    for err in report.errors[:20]:
        click.echo(f"warning: {printable(err)}", err=True)
    deferred = f", {report.deferred} deferred to the next run" if report.deferred else ""
    click.echo(
        f"pushed {report.sent} jobs, {report.failed} failed (retried next run){deferred}, {report.skipped} already sent"
    )
    if report.failed or report.deferred:
        sys.exit(1)


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
