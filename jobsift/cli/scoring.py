"""Scoring commands: score, explain, label (train and evaluate: ``cli.training``)."""

from __future__ import annotations

import sys
from typing import Any

import click

from jobsift.cli.common import Context, common_options, dumps, pass_ctx, reads_store
from jobsift.cli.output import Column, fitted_table, make_console, printable, text

LABELS = ("ghost", "ok", "scam", "lowball", "hired")


def register(main: click.Group) -> None:
    from jobsift.cli.training import evaluate, train

    main.add_command(score)
    main.add_command(explain)
    main.add_command(label)
    main.add_command(train)
    main.add_command(evaluate)


@click.command(epilog="Examples:\n\n    jobsift score\n    jobsift score --all    # after a model or rate change")
@click.option("--all", "rescore_all", is_flag=True, help="Rescore every posting, not only new and changed ones.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@common_options
@reads_store
@pass_ctx
def score(ctx: Context, rescore_all: bool, as_json: bool) -> None:
    """Score new and changed postings (flags, ghost probability, quality, reasons)."""
    from jobsift.scoring.score import score_pending

    report = score_pending(ctx.engine, ctx.config, rescore_all=rescore_all)
    for w in report.warnings:
        click.echo(f"warning: {printable(w)}", err=True)
    if as_json:
        click.echo(
            dumps(
                {
                    "scored": report.scored,
                    "failed": report.failed,
                    "flagged": report.flagged,
                    "model_version": report.model_version,
                    "warnings": report.warnings,
                    "errors": {str(k): v for k, v in report.errors.items()},
                }
            )
        )
    else:
        flags = ", ".join(f"{v} {k}" for k, v in report.flagged.items())
        click.echo(
            f"scored {report.scored} postings with {report.model_version} ({flags})"
            + (f"; {report.failed} failed and stay pending" if report.failed else "")
        )
    if report.failed and not report.scored:
        sys.exit(1)


REASONS_TABLE = (
    Column("flag", "flag"),
    Column("code", "code"),
    Column("reason", "reason"),
    Column("value", "value", "right", "value"),
    Column("reference", "reference", "right", "reference"),
    Column("contribution", "contribution", "right", "contribution"),
)
SIGNALS_TABLE = (
    Column("signal", "signal"),
    Column("x", "x", "right", "x ="),
    Column("weight", "weight", "right", "weight"),
    Column("contribution", "contribution", "right", "contribution"),
    Column("meaning", "meaning"),
)


def _print_explain(data: dict[str, Any]) -> None:
    """The breakdown, fitted to the terminal: numbers fold under the reason or meaning when narrow."""
    from rich.text import Text

    console = make_console()
    st = data["stored"]
    head = Text()
    head.append(f"#{data['id']}", style="bold")
    head.append(f" {printable(data['title'])}  ({printable(data['source'])})\n{printable(data['url'])}")
    console.print(head)
    console.print(
        text(
            f"quality {st['quality']}, flags: {', '.join(st['flags']) or 'none'}, "
            f"{data['ghost_words']}, payment {st['payment_status']}"
            + (
                f", budget at percentile {st['lowball_percentile']} (ratio to median {st['lowball_ratio']})"
                if st["lowball_percentile"] is not None
                else ""
            )
        )
    )
    reasons = [
        {
            "flag": r.get("flag") or "",
            "code": r["code"],
            "reason": r["text"],
            "value": _s(r.get("value")),
            "reference": _s(r.get("reference")),
            "contribution": _s(r.get("contribution")),
        }
        for r in st["reasons"]
    ]
    console.print(
        fitted_table(
            REASONS_TABLE,
            reasons,
            main="reason",
            width=console.width,
            title="Reasons",
            main_min=30,
            fold_order=("reference", "value", "code", "contribution"),
        )
    )
    if data["signals"]:
        signals = [
            {
                "signal": s["signal"],
                "x": _s(s["x"]),
                "weight": _s(s["weight"]),
                "contribution": _s(s["contribution"]),
                "meaning": s["meaning"],
            }
            for s in data["signals"]
        ]
        console.print(
            fitted_table(
                SIGNALS_TABLE,
                signals,
                main="meaning",
                width=console.width,
                main_min=30,
                title=f"Ghost log-odds: intercept {data['ghost_intercept']} + signals = {data['ghost_logit']}",
                fold_order=("x", "weight"),
            )
        )
    console.print(text(printable(data["basis_line"])))
    if data["reproduced"]:
        console.print(text(f"Recomputed from the stored features with {data['model_version']}: identical."))
    else:
        line = text("Not reproduced", style="red")
        line.append(printable(f": {', '.join(data['differences'])}"))
        console.print(line)
    rerun = data.get("text_model_rerun")
    if rerun:
        console.print(text(f"Text model re-run on the current text: {rerun['now']} (stored {rerun['stored']})"))


def _s(v: Any) -> str:
    return "" if v is None else str(v)


@click.command(epilog="Examples:\n\n    jobsift explain 42\n    jobsift explain 42 --json | jq .signals")
@click.argument("job_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON.")
@common_options
@reads_store
@pass_ctx
def explain(ctx: Context, job_id: int, as_json: bool) -> None:
    """Show why a posting got its score, and recompute it from the stored features."""
    from jobsift.scoring.explain import explain as run_explain

    data = run_explain(ctx.engine, job_id, ctx.config.database.url, ctx.config.scoring.model_path)
    if as_json:
        click.echo(dumps(data))
    else:
        _print_explain(data)
    if data["reproduced"] is False:
        sys.exit(1)


@click.command(epilog="Examples:\n\n    jobsift label 42 ghost\n    jobsift label 17 hired --note 'got the contract'")
@click.argument("job_id", type=int)
@click.argument("verdict", type=click.Choice(LABELS))
@click.option("--note", default=None, help="Free text kept with the label.")
@common_options
@reads_store
@pass_ctx
def label(ctx: Context, job_id: int, verdict: str, note: str | None) -> None:
    """Record what a posting turned out to be; 'jobsift train' learns from these labels."""
    from datetime import UTC, datetime

    from jobsift.store.labels import add_user_label

    with ctx.engine.begin() as conn:
        total = add_user_label(conn, job_id, verdict, note, datetime.now(UTC))
    click.echo(f"labelled {job_id} as {verdict} ({total} labels stored; run 'jobsift train' to learn from them)")
