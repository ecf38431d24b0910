"""Scoring commands: score, explain, label, train, evaluate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from jobsift.cli.common import Context, common_options, dumps, pass_ctx, reads_store
from jobsift.errors import NotFoundError

LABELS = ("ghost", "ok", "scam", "lowball", "hired")


def register(main: click.Group) -> None:
    main.add_command(score)
    main.add_command(explain)
    main.add_command(label)
    main.add_command(train)
    main.add_command(evaluate)


@click.command(epilog="Examples:\n\n    jobsift score\n    jobsift score --all    # after a model or rate change")
@click.option("--all", "rescore_all", is_flag=True, help="Rescore every posting, not only new and changed ones.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@common_options
@pass_ctx
def score(ctx: Context, rescore_all: bool, as_json: bool) -> None:
    """Score new and changed postings (flags, ghost probability, quality, reasons)."""
    from jobsift.scoring.score import score_pending

    report = score_pending(ctx.engine, ctx.config, rescore_all=rescore_all)
    for w in report.warnings:
        click.echo(f"warning: {w}", err=True)
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


def _print_explain(data: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=140)
    st = data["stored"]
    console.print(f"[bold]#{data['id']}[/bold] {data['title']}  ({data['source']})\n{data['url']}")
    console.print(
        f"quality {st['quality']}, flags: {', '.join(st['flags']) or 'none'}, "
        f"ghost probability {st['ghost_probability']:.1%}, payment {st['payment_status']}"
        + (
            f", budget at percentile {st['lowball_percentile']} (ratio to median {st['lowball_ratio']})"
            if st["lowball_percentile"] is not None
            else ""
        )
    )
    reasons = Table(title="Reasons", show_lines=False)
    for col in ("flag", "code", "reason", "value", "reference", "contribution"):
        reasons.add_column(col)
    for r in st["reasons"]:
        reasons.add_row(
            r.get("flag") or "",
            r["code"],
            r["text"],
            _s(r.get("value")),
            _s(r.get("reference")),
            _s(r.get("contribution")),
        )
    console.print(reasons)
    if data["signals"]:
        sig = Table(title=f"Ghost log-odds: intercept {data['ghost_intercept']} + signals = {data['ghost_logit']}")
        for col in ("signal", "x", "weight", "contribution", "meaning"):
            sig.add_column(col)
        for s in data["signals"]:
            sig.add_row(s["signal"], _s(s["x"]), _s(s["weight"]), _s(s["contribution"]), s["meaning"])
        console.print(sig)
    if data["reproduced"]:
        console.print(f"Recomputed from the stored features with {data['model_version']}: identical.")
    else:
        console.print(f"[red]Not reproduced[/red]: {', '.join(data['differences'])}")
    rerun = data.get("text_model_rerun")
    if rerun:
        console.print(f"Text model re-run on the current text: {rerun['now']} (stored {rerun['stored']})")


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

    from sqlalchemy import func, insert, select

    from jobsift.store.schema import labels, postings

    with ctx.engine.begin() as conn:
        if conn.execute(select(postings.c.id).where(postings.c.id == job_id)).first() is None:
            raise NotFoundError(f"no posting with id {job_id}")
        conn.execute(
            insert(labels).values(
                posting_id=job_id, label=verdict, origin="user", note=note, created_at=datetime.now(UTC)
            )
        )
        total = conn.execute(select(func.count()).select_from(labels)).scalar_one()
    click.echo(f"labelled {job_id} as {verdict} ({total} labels stored; run 'jobsift train' to learn from them)")


@click.command(
    epilog="Examples:\n\n    jobsift train --emscad fake_job_postings.csv\n    jobsift train            # labels only"
)
@click.option(
    "--emscad",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="EMSCAD-format CSV to train the scam-text model on.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the new artifact (default: jobsift-models/ beside the database).",
)
@click.option(
    "--folds",
    type=click.IntRange(0, 10),
    default=5,
    show_default=True,
    help="Employer-grouped folds for the text model's metrics (0: skip).",
)
@click.option("--json", "as_json", is_flag=True)
@common_options
@pass_ctx
def train(ctx: Context, emscad: Path | None, out_dir: Path | None, folds: int, as_json: bool) -> None:
    """Retrain the ghost model from your labels, observed outcomes and an EMSCAD CSV."""
    from jobsift.scoring.model import user_model_dir
    from jobsift.scoring.train import train as run_train

    root = out_dir or user_model_dir(ctx.config.database.url)
    report = run_train(ctx.engine, root, emscad=emscad, evaluate_folds=folds)
    if as_json:
        click.echo(
            dumps(
                {
                    "path": str(report.path),
                    "version": report.version,
                    "examples": report.examples,
                    "positives": report.positives,
                    "learned_weights": report.learned_weights,
                    "text_rows": report.text_rows,
                    "metrics": report.metrics,
                    "notes": report.notes,
                }
            )
        )
        return
    click.echo(f"wrote model {report.version} to {report.path}")
    click.echo(
        f"  ghost weights: {'learned from' if report.learned_weights else 'defaults;'} "
        f"{report.examples} labelled examples ({report.positives} ghost)"
    )
    if report.text_rows:
        click.echo(f"  text model: {report.text_rows} EMSCAD rows")
    for name, m in report.metrics.items():
        click.echo(f"  {name}: F1 {m['f1']}, precision {m['precision']}, recall {m['recall']}, PR-AUC {m['pr_auc']}")
    for note in report.notes:
        click.echo(f"  note: {note}")
    if out_dir is None and not ctx.config.scoring.model_path:
        click.echo("It is used from now on (newest in that directory); run 'jobsift score --all' to rescore.")
    else:
        click.echo(f"Set scoring.model_path = \"{report.path}\" to use it, then run 'jobsift score --all'.")


@click.command(
    epilog="Examples:\n\n    jobsift evaluate --dataset emscad emscad-dev.csv --json\n"
    "    jobsift evaluate --dataset emscad emscad-dev.csv --prevalence 0.048\n"
    "    jobsift evaluate --dataset emscad holdout.csv --artifact"
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dataset", type=click.Choice(["emscad"]), default="emscad", show_default=True, help="Format of PATH.")
@click.option(
    "--model",
    "model_name",
    type=click.Choice(["full", "text", "baseline"]),
    default="full",
    show_default=True,
    help="What to cross-validate: the full EMSCAD model, the text model, or the baseline.",
)
@click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--prevalence",
    type=click.FloatRange(0.0, 1.0, min_open=True, max_open=True),
    help="Re-weight the metrics to this fraud base rate (e.g. 0.048).",
)
@click.option("--artifact", is_flag=True, help="Score PATH with the current model's text part, no training.")
@click.option("--json", "as_json", is_flag=True)
@common_options
@pass_ctx
def evaluate(
    ctx: Context,
    path: Path,
    dataset: str,
    model_name: str,
    folds: int,
    seed: int,
    prevalence: float | None,
    artifact: bool,
    as_json: bool,
) -> None:
    """Fraud-class precision, recall, F1, PR-AUC, ROC-AUC on an EMSCAD-format CSV (employer-grouped CV)."""
    from jobsift.scoring.emscad import cross_validate, metrics, read_emscad

    data = read_emscad(path)
    if len(set(data.y.tolist())) < 2:
        raise click.UsageError(f"{path}: needs both fraudulent and real rows")
    if artifact:
        import numpy as np

        from jobsift.errors import ModelError
        from jobsift.scoring.model import load_artifact, resolve
        from jobsift.scoring.text import emscad_text

        model = load_artifact(resolve(ctx.config.scoring.model_path, ctx.config.database.url))
        probs = model.predict_text([emscad_text(r) for r in data.rows])
        if probs is None:
            raise ModelError(f"model {model.version} has no text part to evaluate")
        result = metrics(data.y, np.asarray(probs), prevalence=prevalence)
        result.update(model=model.version, mode="artifact as-is (no training; employers may overlap its training data)")
    else:
        result = cross_validate(data, model_name, folds=folds, seed=seed, prevalence=prevalence)
    result.update(dataset=dataset, path=str(path))
    if as_json:
        click.echo(dumps(result))
        return
    click.echo(
        f"{path}: {result['rows']} rows, fraud share {result['fraud_share']}"
        + (f", re-weighted to prevalence {prevalence}" if prevalence else "")
    )
    click.echo(
        f"  model {result['model']}: precision {result['precision']}  recall {result['recall']}  "
        f"F1 {result['f1']}  PR-AUC {result['pr_auc']}  ROC-AUC {result['roc_auc']}"
    )
