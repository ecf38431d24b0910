"""What ``jobsift demo`` publishes at the end: a filtered feed, a dry-run digest and the report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from jobsift.config import Config
from jobsift.publish.digest import preview
from jobsift.publish.feed import render_rss
from jobsift.publish.params import FilterParams
from jobsift.publish.report import write_report
from jobsift.store.queries import list_jobs

DEMO_FILTER = FilterParams(exclude_flags=["scam", "ghost"], min_quality=40, limit=100)


def write_demo_outputs(
    engine: Engine, cfg: Config, out_dir: Path, *, say: Callable[[str], None] = print
) -> dict[str, Path]:
    """Write feed.xml (scams and ghosts hidden, quality ≥ 40), digest.html (nothing sent) and report.html."""
    files: dict[str, Path] = {}
    with engine.connect() as conn:
        jobs = list_jobs(conn, DEMO_FILTER.to_filter())
    feed = out_dir / "feed.xml"
    feed.write_bytes(
        render_rss(
            jobs,
            title="jobsift demo: no scams or ghosts, quality 40+",
            link=f"http://{cfg.serve.host}:{cfg.serve.port}/",
        )
    )
    files["feed"] = feed
    d = preview(engine, cfg, "you@example.com")
    digest = out_dir / "digest.html"
    digest.write_text(d.html, encoding="utf-8")
    (out_dir / "digest.txt").write_text(d.text, encoding="utf-8")
    files["digest"] = digest
    files["report"] = write_report(engine, out_dir / "report.html", days=90)
    say(f"Published: {len(jobs)} jobs in feed.xml, {len(d.jobs)} in the dry-run digest, report.html")
    return files
