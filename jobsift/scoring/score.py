"""Score postings: features → rules (+ the model) → a ``scores`` row, in batches, one transaction each.

``compute_score(features, model)`` is pure: the same features and model version always give the
same ``Score``; ``jobsift explain`` relies on it. ``score_pending`` reads a batch, builds the
repost index and the market once per call (not per posting), predicts the text model for the
whole batch in one call, and writes the batch in one transaction. A posting whose scoring raises
keeps ``needs_scoring = true`` with ``score_error`` set; the rest of the batch is still written.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine

from jobsift.config import Config
from jobsift.model import Reason, Score
from jobsift.redact import reason
from jobsift.scoring import features as feat
from jobsift.scoring import flags, rules
from jobsift.scoring.market import Market, load_prior, norm_level
from jobsift.scoring.model import GhostModel, load_for_scoring
from jobsift.scoring.repost_store import RepostCache, build_repost_index, repost_details
from jobsift.scoring.reposts import Entry, RepostIndex
from jobsift.scoring.text import posting_text
from jobsift.store.market_history import market_history
from jobsift.store.pending import clients_for_scoring, pending_ids, postings_for_scoring, sighting_counts
from jobsift.store.queries import count_resolved_outcomes
from jobsift.store.scores import ReadKey, write_scores
from jobsift.store.scoring_records import PostingForScoring

log = logging.getLogger(__name__)
BATCH = 1000  # postings per transaction


@dataclass
class ScoreReport:
    scored: int = 0
    failed: int = 0
    flagged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(flags.flag_codes(), 0))
    #: Postings another writer scored (or changed) while this run worked on them: left to it (R39).
    skipped: int = 0
    model_version: str = rules.RULES_VERSION
    warnings: list[str] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)


def merge_reasons(reasons: list[Reason]) -> list[Reason]:
    """One reason per signal: ``ghost.upfront_fee`` and ``scam.upfront_fee`` are the same fact.

    The reason that carries a contribution is kept (else the first); its ``flag`` becomes the most
    severe flag any of them names, so a signal that feeds two flags is shown once, under the worse.
    """
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(reasons):
        prefix, _, name = r.code.partition(".")
        if name and flags.get(prefix) is not None:
            groups.setdefault(name, []).append(i)
    drop: set[int] = set()
    out = list(reasons)
    for idxs in groups.values():
        if len(idxs) < 2:
            continue
        keep = next((i for i in idxs if reasons[i].contribution is not None), idxs[0])
        named = [reasons[i].flag for i in idxs if reasons[i].flag]
        worst = max(named, key=flags.severity) if named else None
        k = reasons[keep]
        out[keep] = Reason(k.code, k.text, k.value, k.reference, k.contribution, worst)
        drop.update(i for i in idxs if i != keep)
    return [r for i, r in enumerate(out) if i not in drop]


def compute_score(f: dict[str, Any], model: GhostModel) -> Score:
    """The verdict from the features alone (plus the model's ghost weights): every registered flag's rule."""
    outputs: dict[str, Any] = {}
    flagged: list[str] = []
    reasons: list[Reason] = []
    terms: list[tuple[str, str, float]] = []
    caps: list[tuple[str, str, float]] = []
    for flag in flags.all_flags():
        result = flag.rule(f, model)
        if result.flagged:
            flagged.append(flag.code)
        outputs.update(result.outputs)
        reasons += result.reasons
        terms += [(t.code, t.text, t.contribution) for t in result.quality]
        if result.cap is not None:
            caps.append((f"quality.{flag.code}", result.cap[1], result.cap[0]))
    quality, q_reasons = rules.quality(f, terms, caps)
    merged = merge_reasons([*reasons, *q_reasons])
    # Flagging reasons first (the most severe flag's first): they are what a reader needs.
    merged.sort(key=lambda r: -flags.severity(r.flag) if r.flag else 1)
    return Score(
        quality=quality,
        flags=tuple(flagged),
        reasons=tuple(merged),
        features=f,
        model_version=model.version,
        **outputs,
    )


def with_outcomes(s: Score, resolved: int) -> Score:
    """The score with the store's count of resolved outcomes in its (uncalibrated) ghost basis."""
    if s.ghost_basis is None or s.ghost_basis.get("calibrated"):
        return s
    return replace(s, ghost_basis={**s.ghost_basis, "outcomes_resolved": resolved})


def reason_dict(r: Reason) -> dict[str, Any]:
    return {
        "code": r.code,
        "text": r.text,
        "value": r.value,
        "reference": r.reference,
        "contribution": r.contribution,
        "flag": r.flag,
    }


def flags_text(flags: Sequence[str]) -> str:
    return "," + ",".join(flags) + ","


def score_row(posting_id: int, s: Score, now: datetime) -> dict[str, Any]:
    return {
        "posting_id": posting_id,
        "scored_at": now,
        "is_latest": True,
        "model_version": s.model_version,
        "quality": s.quality,
        "flags": list(s.flags),
        "flags_text": flags_text(s.flags),
        "ghost_probability": s.ghost_probability,
        "ghost_basis": None if s.ghost_basis is None else dict(s.ghost_basis),
        "payment_status": s.payment_status,
        "lowball_ratio": s.lowball_ratio,
        "lowball_percentile": s.lowball_percentile,
        "reasons": [reason_dict(r) for r in s.reasons],
        "features": dict(s.features),
    }


def build_market(conn: Connection, min_samples: int, now: datetime) -> Market:
    """The shipped prior blended with the store's recent fixed/hourly budgets (``store.market_history``)."""
    records: list[tuple[str, float, str, list[str]]] = []
    counts: list[int] = []
    for g in market_history(conn, now):
        records.append((g.kind, g.usd, norm_level(g.level or ""), [*g.skills, *([g.category] if g.category else [])]))
        counts.append(g.n)
    return Market.from_history(load_prior(), records, min_samples, counts)


class Scorer:
    """Scores batches of postings with one model, market and repost index."""

    def __init__(self, cfg: Config, model: GhostModel, market: Market, index: RepostIndex, now: datetime) -> None:
        self.settings = feat.Settings.from_config(cfg)
        self.model, self.market, self.index, self.now = model, market, index, now
        self.read: dict[int, ReadKey] = {}

    def features_for(self, conn: Connection, ids: Sequence[int]) -> tuple[dict[int, dict[str, Any]], dict[int, str]]:
        rows = postings_for_scoring(conn, ids)
        client_rows = clients_for_scoring(conn, (r.client_id for r in rows.values() if r.client_id is not None))
        for pid, r in rows.items():  # what these features are computed from (checked again at write)
            cr = client_rows.get(r.client_id) if r.client_id is not None else None
            self.read[pid] = (r.content_hash, cr.stats_hash if cr else None)
        stretches = sighting_counts(conn, ids)
        order = [i for i in ids if i in rows]
        probs = self._text_probs([rows[i] for i in order])
        entries = [
            Entry(i, rows[i].fingerprint or "", rows[i].source, rows[i].client_id, rows[i].company) for i in order
        ]
        repost_counts = self.index.reposts_many(entries, resolve=lambda wanted: repost_details(conn, wanted))
        out: dict[int, dict[str, Any]] = {}
        errors: dict[int, str] = {}
        for pid, prob, n_reposts in zip(order, probs, repost_counts, strict=True):
            p = rows[pid]
            try:
                out[pid] = feat.build_features(
                    p,
                    client_rows[p.client_id].stats if p.client_id in client_rows else None,
                    now=self.now,
                    market=self.market,
                    settings=self.settings,
                    reposts=n_reposts,
                    relists=max(0, int(stretches.get(pid, 1)) - 1),
                    text_scam_prob=prob,
                    text_prior=self.model.text_prior,
                )
            except Exception as exc:  # noqa: BLE001 - one bad posting must not stop the batch (R23)
                errors[pid] = f"{type(exc).__name__}: {exc}"
        return out, errors

    def _text_probs(self, rows: list[PostingForScoring]) -> list[float | None]:
        texts = [posting_text(r.title or "", r.description_text) for r in rows]
        try:
            probs = self.model.predict_text(texts)
        except Exception as exc:  # noqa: BLE001 - a model that fails at predict time is dropped, rules go on
            log.warning("text model failed on a batch, scoring without it: %s", exc)
            probs = None
        return [None] * len(rows) if probs is None else list(probs)


def score_pending(
    engine: Engine,
    cfg: Config,
    *,
    rescore_all: bool = False,
    now: datetime | None = None,
    model: GhostModel | None = None,
    reposts: RepostCache | None = None,
) -> ScoreReport:
    """Score every posting that needs it (or all), in batches of ``BATCH``, one transaction each.

    ``reposts``: a long-lived process's cache of the repost index (else it is read in full).
    """
    now = now or datetime.now(UTC)
    report = ScoreReport()
    if model is None:
        model, warning = load_for_scoring(cfg.scoring.model_path, cfg.database.url, use_model=cfg.scoring.use_model)
        if warning:
            report.warnings.append(warning)
    report.model_version = model.version
    with engine.connect() as conn:
        ids = pending_ids(conn, rescore_all)
        if not ids:
            return report
        market = build_market(conn, cfg.scoring.market_min_samples, now)
        index = reposts.index(conn) if reposts is not None else build_repost_index(conn)
        resolved = count_resolved_outcomes(conn)
    scorer = Scorer(cfg, model, market, index, now)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        with engine.begin() as conn:
            feats, errors = scorer.features_for(conn, chunk)
            results: dict[int, Score] = {}
            for pid, f in feats.items():
                try:
                    results[pid] = with_outcomes(compute_score(f, model), resolved)
                except Exception as exc:  # noqa: BLE001 - R23: record and go on
                    errors[pid] = f"{type(exc).__name__}: {exc}"
            rows = {pid: score_row(pid, s, now) for pid, s in results.items()}
            skipped = write_scores(
                conn,
                rows,
                {pid: reason(m) or "" for pid, m in errors.items()},
                now,
                read=scorer.read,
                rescore_all=rescore_all,
            )
        results = {pid: s for pid, s in results.items() if pid not in skipped}
        errors = {pid: m for pid, m in errors.items() if pid not in skipped}
        report.skipped += len(skipped)
        report.scored += len(results)
        report.failed += len(errors)
        report.errors.update(errors)
        for s in results.values():
            for flag in s.flags:
                report.flagged[flag] = report.flagged.get(flag, 0) + 1
    if report.failed:
        log.warning("%d postings could not be scored; they stay pending (see postings.score_error)", report.failed)
    return report
