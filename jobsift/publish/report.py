"""``jobsift report``: one self-contained HTML file with plots (inline SVG, matplotlib's Agg backend).

Sections: flag rates by source over time, budgets against the market by category, the clients
with the strongest ghost signals, and source health. Nothing is fetched when the file is opened:
no scripts, no fonts, no images from elsewhere, so it can be mailed or archived as is.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from jobsift.publish.present import flag_label
from jobsift.publish.templating import render, stylesheet
from jobsift.scoring.flags import flag_codes
from jobsift.store import reports, source_health

COLORS = ["#2457c5", "#b3261e", "#1f7a4d", "#9a6b00", "#6b3fa0", "#0f7c8c", "#c2185b", "#5d6675"]


@dataclass
class ReportData:
    since: datetime
    until: datetime
    jobs: list[dict[str, Any]] = field(default_factory=list)
    ghost_clients: list[dict[str, Any]] = field(default_factory=list)
    health: list[dict[str, Any]] = field(default_factory=list)
    outcomes: dict[str, Counter[str]] = field(default_factory=dict)
    unattributed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def weekly(self) -> bool:
        """Long periods are plotted per week (each point dated by the Monday that starts it)."""
        return (self.until - self.since).days > 45


def label_clients(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A label per client that no other client shares (unnamed ones by their key), so no two bars overlap."""
    seen: Counter[str] = Counter()
    for r in rows:
        name = r.get("name") or f"unnamed client {str(r.get('client_key') or r.get('id'))[:12]}"
        label = f"{name[:30]} ({r['source']})"
        seen[label] += 1
        r["label"] = label if seen[label] == 1 else f"{label} #{r.get('id')}"
    return rows


def load(engine: Engine, days: int, now: datetime | None = None) -> ReportData:
    now = now or datetime.now(UTC)
    data = ReportData(since=now - timedelta(days=days), until=now)
    with engine.connect() as conn:
        data.jobs = reports.period_postings(conn, data.since)
        data.ghost_clients = label_clients(reports.ghost_clients(conn, data.since))
        # Postings with no client data never reach the query above: each source's worst one.
        data.unattributed = reports.worst_unattributed(conn, data.since)
        data.health = source_health.source_rows(conn)
        data.outcomes = source_health.fetch_outcomes(conn, data.since)
    return data


def _svg(fig: Any) -> str:
    """The figure as inline SVG text (no XML prolog, text kept as text)."""
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buf.getvalue()
    svg = re.sub(r"^.*?(<svg)", r"\1", svg, count=1, flags=re.S)  # drop <?xml ...?> and the DOCTYPE
    return svg


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.fonttype": "none",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
        }
    )
    return plt


def flag_rates_plot(data: ReportData) -> str | None:
    """Share of each source's new jobs carrying each flag, per day (or week for long periods)."""
    scored = [j for j in data.jobs if j["flags"] is not None]
    if not scored:
        return None
    weekly = data.weekly

    def bucket(when: datetime) -> datetime:
        day = datetime(when.year, when.month, when.day, tzinfo=UTC)
        return day - timedelta(days=day.weekday()) if weekly else day

    totals: Counter[tuple[str, datetime]] = Counter()
    flagged: Counter[tuple[str, str, datetime]] = Counter()
    for j in scored:
        key = (j["source"], bucket(j["first_seen_at"]))
        totals[key] += 1
        for f in j["flags"] or []:
            flagged[(f, *key)] += 1
    plt = _plt()
    import matplotlib.dates as mdates

    fig, axes = plt.subplots(1, len(flag_codes()), figsize=(11, 3.2), sharey=True)
    srcs = sorted({s for s, _ in totals})
    window = 1 if weekly else 7  # daily counts are small: show a trailing 7-day share
    buckets = sorted({b for _, b in totals})
    ticks = buckets[:: max(1, -(-len(buckets) // 5))]

    def share(flag: str, src: str, b: datetime) -> float:
        days = [b - timedelta(days=i) for i in range(window)]
        total = sum(totals[(src, d)] for d in days)
        return 100 * sum(flagged[(flag, src, d)] for d in days) / total if total else 0.0

    for ax, flag in zip(axes, flag_codes(), strict=True):
        for i, src in enumerate(srcs[: len(COLORS)]):
            xs = sorted(b for s, b in totals if s == src)
            ax.plot(xs, [share(flag, src, b) for b in xs], marker="o", ms=3, lw=1.6, color=COLORS[i], label=src)
        ax.set_title(flag_label(flag))
        ax.set_ylim(0, 100)
        # Explicit ticks: the automatic date locator warns on a one-day range.
        ax.set_xticks(ticks)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %d"))  # type: ignore[no-untyped-call]
        ax.set_xlabel("week starting Monday (UTC)" if weekly else "day (UTC)")
    axes[0].set_ylabel("% of new jobs flagged" + (" (per week)" if weekly else " (trailing 7 days)"))
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower right", ncol=min(len(labels), 8), frameon=False, bbox_to_anchor=(1.0, 0.98))
    return _svg(fig)


def budgets_plot(data: ReportData) -> str | None:
    """Budgets (USD, log scale) per category against the market median the scorer compared them with."""
    by_cat: dict[tuple[str, str], list[float]] = defaultdict(list)
    market: dict[tuple[str, str], list[float]] = defaultdict(list)
    for j in data.jobs:
        value = j["budget_usd"]  # the one budget figure (store.budget_figure), computed by the store
        if value is None or j["budget_kind"] not in ("fixed", "hourly"):
            continue
        key = (j["category"] or "uncategorised", j["budget_kind"])
        by_cat[key].append(float(value))
        if j["lowball_ratio"]:
            market[key].append(float(value) / float(j["lowball_ratio"]))
    keys = sorted(by_cat, key=lambda k: -len(by_cat[k]))[:12]
    if not keys:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(11, 0.45 * len(keys) + 1.2))
    labels = [f"{cat[:28]} ({kind}, n={len(by_cat[(cat, kind)])})" for cat, kind in keys]
    import matplotlib

    # ``vert`` is deprecated from Matplotlib 3.10 on, ``orientation`` did not exist before it.
    horizontal = (
        {"orientation": "horizontal"}
        if tuple(map(int, matplotlib.__version__.split(".")[:2])) >= (3, 10)
        else {"vert": False}
    )
    ax.boxplot(
        [by_cat[k] for k in keys],
        **horizontal,
        widths=0.6,
        patch_artist=True,
        boxprops={"facecolor": "#dbe5fb", "color": COLORS[0]},
        medianprops={"color": COLORS[0]},
        flierprops={"markersize": 3},
    )
    for i, k in enumerate(keys, start=1):
        if market[k]:
            ax.plot(
                statistics.median(market[k]),
                i,
                marker="D",
                color=COLORS[1],
                ms=7,
                label="market median" if i == 1 or not ax.get_legend_handles_labels()[0] else None,
            )
    ax.set_yticks(range(1, len(keys) + 1), labels)
    ax.set_xscale("log")
    ax.set_xlabel("budget in USD (log scale): box = posted budgets, red diamond = market median")
    ax.invert_yaxis()
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper center", frameon=False, bbox_to_anchor=(0.5, -0.18))
    return _svg(fig)


def ghost_plot(data: ReportData) -> str | None:
    rows = [r for r in data.ghost_clients if r["ghost"] is not None][:12]
    if not rows:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(11, 0.38 * len(rows) + 1.1))
    values = [100 * float(r["ghost"]) for r in rows]
    # Numeric positions, not category names: two clients never share a bar even if their labels met.
    ax.barh(range(len(rows)), values, color=[COLORS[1] if v >= 60 else COLORS[3] for v in values])
    ax.set_yticks(range(len(rows)), [r["label"] for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("mean ghost probability of the client's postings (%)")
    return _svg(fig)


def health_plot(data: ReportData) -> str | None:
    if not data.outcomes:
        return None
    plt = _plt()
    names = sorted(data.outcomes)
    kinds = ["ok", "not_modified", "partial", "deferred", "failed", "blocked"]
    palette = {
        "ok": COLORS[2],
        "not_modified": "#8fc9a9",
        "partial": COLORS[3],
        "deferred": "#c9b27c",
        "failed": COLORS[1],
        "blocked": "#5d6675",
    }
    fig, ax = plt.subplots(figsize=(11, 0.4 * len(names) + 1.2))
    left = [0] * len(names)
    for kind in kinds + sorted({k for c in data.outcomes.values() for k in c} - set(kinds)):
        vals = [data.outcomes[n].get(kind, 0) for n in names]
        if any(vals):
            ax.barh(names, vals, left=left, color=palette.get(kind, COLORS[4]), label=kind)
            left = [a + b for a, b in zip(left, vals, strict=True)]
    ax.invert_yaxis()
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # a fetch is counted whole
    ax.set_xlabel("fetches in the period")
    ax.legend(loc="upper center", frameon=False, ncol=6, bbox_to_anchor=(0.5, -0.25))
    return _svg(fig)


def build_report(engine: Engine, *, days: int = 60, now: datetime | None = None) -> str:
    data = load(engine, days, now)
    scored = [j for j in data.jobs if j["flags"] is not None]
    summary = {
        "jobs": len(data.jobs),
        "scored": len(scored),
        "flagged": sum(1 for j in scored if j["flags"]),
        "by_flag": {f: sum(1 for j in scored if f in (j["flags"] or [])) for f in flag_codes()},
        "sources": len({j["source"] for j in data.jobs}),
    }
    from jobsift.store.workflow import count_applications
    from jobsift.store.workflow import ledger as load_ledger

    with engine.connect() as conn:
        ledger = load_ledger(conn) if count_applications(conn) else None
    from jobsift.publish import report_outcomes

    return render(
        "report.html",
        css=stylesheet(),
        data=data,
        summary=summary,
        days=days,
        ledger=ledger,
        outcomes=report_outcomes.section(engine),
        generated=data.until.strftime("%Y-%m-%d %H:%M UTC"),
        plots={
            "flags": flag_rates_plot(data),
            "budgets": budgets_plot(data),
            "ghost": ghost_plot(data),
            "health": health_plot(data),
        },
    )


def write_report(engine: Engine, out: Path, *, days: int = 60, now: datetime | None = None) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build_report(engine, days=days, now=now), encoding="utf-8")
    return out
