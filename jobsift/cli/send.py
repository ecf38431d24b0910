"""Sending: ``digest`` (email, once per period) and ``push`` (webhook sinks, once per job)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from jobsift.cli.common import Context, common_options, pass_ctx, reads_store
from jobsift.cli.output import printable, printable_block


def register(main: click.Group) -> None:
    main.add_command(digest)
    main.add_command(push)


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
