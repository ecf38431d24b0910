"""Model commands: train (ghost weights from outcomes and labels, the text model) and evaluate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from jobsift.cli.common import Context, common_options, dumps, pass_ctx, reads_store


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
@reads_store
@pass_ctx
def train(ctx: Context, emscad: Path | None, out_dir: Path | None, folds: int, as_json: bool) -> None:
    """Retrain the ghost model from observed outcomes and your labels (and the text model from an EMSCAD CSV)."""
    from jobsift.scoring.calibration import summary_line
    from jobsift.scoring.model import load_for_scoring, user_model_dir
    from jobsift.scoring.train import train as run_train

    root = out_dir or user_model_dir(ctx.config.database.url)
    current, _warning = load_for_scoring(
        ctx.config.scoring.model_path, ctx.config.database.url, use_model=ctx.config.scoring.use_model
    )
    report = run_train(ctx.engine, root, emscad=emscad, evaluate_folds=folds, current=current)
    if as_json:
        click.echo(
            dumps(
                {
                    "path": str(report.path) if report.path else None,
                    "version": report.version or None,
                    "examples": report.examples,
                    "positives": report.positives,
                    "counts": report.counts,
                    "learned_weights": report.learned_weights,
                    "calibration": report.calibration,
                    "outcome_metrics": report.outcome_metrics,
                    "text_rows": report.text_rows,
                    "metrics": report.metrics,
                    "seconds": report.seconds,
                    "notes": report.notes,
                }
            )
        )
        return
    counts = report.counts or {"observed": 0, "user": 0}
    if report.path is None:
        click.echo(f"kept the current model {current.version}: nothing new to write")
    else:
        click.echo(f"wrote model {report.version} to {report.path}")
    click.echo(
        f"  ghost weights: {'learned from' if report.learned_weights else 'kept;'} {report.examples} examples "
        f"({counts.get('observed', 0)} observed outcomes, {counts.get('user', 0)} user labels; "
        f"{report.positives} never hired)"
    )
    if report.outcome_metrics:
        m = report.outcome_metrics
        click.echo(f"  calibration: {m['method']} on {m['outcomes']} outcomes from {m['clients']} clients")
        click.echo(f"  client-grouped CV: {summary_line(m)}")
    if report.text_rows:
        click.echo(f"  text model: {report.text_rows} EMSCAD rows")
    for name, met in report.metrics.items():
        click.echo(
            f"  {name}: F1 {met['f1']}, precision {met['precision']}, recall {met['recall']}, PR-AUC {met['pr_auc']}"
        )
    for note in report.notes:
        click.echo(f"  note: {note}")
    if report.path is None:
        return
    if out_dir is None and not ctx.config.scoring.model_path:
        click.echo("It is used from now on (newest in that directory); run 'jobsift score --all' to rescore.")
    else:
        click.echo(f"Set scoring.model_path = \"{report.path}\" to use it, then run 'jobsift score --all'.")


def _print_outcomes(result: dict[str, Any]) -> None:
    from jobsift.scoring.calibration import summary_line

    ex = result["examples"]
    click.echo(
        f"model {result['model']} ({'calibrated on outcomes' if result['calibrated'] else 'not calibrated'}) "
        f"on {result['outcomes']} resolved postings ({ex['observed']} observed, {ex['user']} user labels) "
        f"from {result['clients']} clients, {result['never_hired']} never hired"
    )
    if result["outcomes"]:
        click.echo(f"  {summary_line(result)}")
        click.echo("  predicted   n      mean predicted  observed never hired")
        for r in result["reliability"]:
            click.echo(f"  {r['bin']:<10}  {r['n']:<6} {r['predicted']:<15} {r['observed']}")
    if result.get("note"):
        click.echo(f"  note: {result['note']}")


@click.command(
    epilog="Examples:\n\n    jobsift evaluate --dataset emscad emscad-dev.csv --json\n"
    "    jobsift evaluate --dataset emscad emscad-dev.csv --prevalence 0.048\n"
    "    jobsift evaluate --dataset emscad holdout.csv --artifact\n"
    "    jobsift evaluate --outcomes"
)
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--outcomes",
    "on_outcomes",
    is_flag=True,
    help="Evaluate the current model's ghost figure on the store's resolved outcomes instead.",
)
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
    path: Path | None,
    on_outcomes: bool,
    dataset: str,
    model_name: str,
    folds: int,
    seed: int,
    prevalence: float | None,
    artifact: bool,
    as_json: bool,
) -> None:
    """Fraud-class precision, recall, F1, PR-AUC, ROC-AUC on an EMSCAD-format CSV (employer-grouped CV),
    or with --outcomes the ghost figure's log-loss, Brier, ECE and ROC-AUC on the store's outcomes."""
    if on_outcomes:
        from jobsift.scoring.model import load_for_scoring

        ctx.create_store = False  # a read: a missing store is an error, never a new empty one
        from jobsift.scoring.train import evaluate_outcomes

        model, warning = load_for_scoring(
            ctx.config.scoring.model_path, ctx.config.database.url, use_model=ctx.config.scoring.use_model
        )
        if warning:
            click.echo(f"warning: {warning}", err=True)
        outcome_result = evaluate_outcomes(ctx.engine, model)
        if as_json:
            click.echo(dumps(outcome_result))
        else:
            _print_outcomes(outcome_result)
        return
    if path is None:
        raise click.UsageError("give an EMSCAD-format CSV, or --outcomes to evaluate on the store's outcomes")
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
