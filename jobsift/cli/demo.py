"""``jobsift demo``: the whole pipeline offline on bundled feeds, with why postings were flagged."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from jobsift.cli.jobs import print_basis_notes, print_jobs_table
from jobsift.cli.output import printable

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from jobsift.store.records import Job


def print_flag_examples(rows: list[Job], db_url: str) -> dict[str, int]:
    """For each flag, the worst posting carrying it and the reasons behind that flag; returns flag → id."""
    from jobsift.scoring.flags import flag_codes

    click.echo("\nWhy postings were flagged (one example per flag):")
    examples: dict[str, int] = {}
    for flag in flag_codes():
        flagged = [r for r in rows if flag in r.flags]
        if not flagged:
            click.echo(f"  {flag}: no posting in this run")
            continue
        # Prefer a posting not shown yet with the fewest other flags: the clearest example.
        shown = set(examples.values())
        worst = min(flagged, key=lambda r: (r.id in shown, len(r.flags), r.quality or 0))
        examples[flag] = worst.id
        why = [x["text"] for x in worst.reasons if x.get("flag") == flag and x.get("text")]
        click.echo(f"  {flag} ({len(flagged)} postings), e.g. #{worst.id} {printable(repr(worst.title[:60]))}:")
        for text in why[:4]:
            click.echo(f"      - {printable(text)}")
        click.echo(f"      full breakdown: jobsift --db {db_url} explain {worst.id}")
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


def register(main: click.Group) -> None:
    main.add_command(demo)
