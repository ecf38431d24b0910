"""Outcome commands: re-observe due postings now, show one posting's outcome history."""

from __future__ import annotations

import sys

import click

from jobsift.cli.common import Context, common_options, dumps, pass_ctx, reads_store


def register(main: click.Group) -> None:
    main.add_command(reobserve)
    main.add_command(outcome)


@click.command(epilog="Examples:\n\n    jobsift reobserve\n    jobsift reobserve --source freelancer --json")
@click.option("--source", "names", multiple=True, help="Only these sources (default: every re-askable one).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@common_options
@pass_ctx
def reobserve(ctx: Context, names: tuple[str, ...], as_json: bool) -> None:
    """Ask sources again what became of their due postings (hired, closed), within the daily budget."""
    import asyncio

    from jobsift.crawler.fetch import Fetcher
    from jobsift.crawler.reobserve import ReobserveReport
    from jobsift.crawler.reobserve import reobserve as run

    async def go() -> ReobserveReport:
        async with Fetcher(ctx.config.fetch) as fetcher:
            return await run(ctx.engine, ctx.config, fetcher, list(names) or None)

    report = asyncio.run(go())
    data = {
        "requests": report.requests,
        "changed": report.changed,
        "resolved": report.resolved,
        "failed": report.failed,
        "over_budget": report.over_budget,
        "stopped": report.stopped,
    }
    if as_json:
        click.echo(dumps(data))
    else:
        click.echo(
            f"re-observed {data['requests']} postings: {data['changed']} outcomes changed, "
            f"{data['resolved']} resolved, {data['failed']} failed"
        )
        for name in report.over_budget:
            click.echo(f"  {name}: today's request budget is used up (outcomes.requests_per_source_per_day)")
        for name, why in report.stopped.items():
            click.echo(f"  {name}: stopped: {why}")
    if (report.failed and not report.changed) or report.stopped:
        sys.exit(1)


@click.command(epilog="Examples:\n\n    jobsift outcome 42\n    jobsift outcome 42 --json")
@click.argument("job_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@common_options
@reads_store
@pass_ctx
def outcome(ctx: Context, job_id: int, as_json: bool) -> None:
    """Show a posting's current outcome and every observed change (time, source field, value)."""
    from jobsift.store.outcomes import history
    from jobsift.store.queries import outcome_state

    with ctx.engine.connect() as conn:
        row = outcome_state(conn, job_id)
        if row is None:
            raise click.UsageError(f"no posting with id {job_id}")
        events = history(conn, job_id)
    data = {
        "id": job_id,
        "outcome": row.outcome,
        "checks": row.checks or 0,
        "next_check_at": row.next_check_at,
        "events": events,
    }
    if as_json:
        click.echo(dumps(data))
        return
    nxt = f", next check {row.next_check_at:%Y-%m-%d %H:%M}Z" if row.next_check_at else ""
    click.echo(f"#{job_id}: {row.outcome} ({data['checks']} checks{nxt})")
    for e in events:
        click.echo(f"  {e['observed_at']:%Y-%m-%d %H:%M}Z  {e['outcome']:<15} {e['source_field']} = {e['value']}")
