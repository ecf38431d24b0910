"""One pass of the main job, assembled once: crawl, then the after-crawl steps (score, then push).

``jobsift crawl`` and ``jobsift import``, the daemon, the workers and the demo all run their
after-crawl steps through ``Pipeline``, so a step added here (an output channel, say) runs
everywhere. Steps, in order:

1. score what the crawl stored (``jobsift.scoring.score.score_pending``), keeping the repost
   index between passes in a long-lived process;
2. push new jobs to the configured ``[[webhooks]]`` sinks (``jobsift.publish.webhooks.push_new``),
   when the pipeline was built with ``push=True`` (the daemon and the workers do whenever sinks
   are configured; ``jobsift crawl`` only with ``--push``, since ``jobsift push`` exists for cron).

A failing step is recorded on the result and logged; it never undoes the crawl.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine

from jobsift.config import Config
from jobsift.crawler.run import CrawlReport, ProgressFn, crawl
from jobsift.publish.webhooks import PushReport, push_new
from jobsift.scoring.repost_store import RepostCache
from jobsift.scoring.score import ScoreReport, score_pending

log = logging.getLogger("jobsift.pipeline")


@dataclass(slots=True)
class AfterCrawl:
    """What the after-crawl steps did."""

    score: ScoreReport | None = None
    push: PushReport | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def scored(self) -> int | None:
        return None if self.score is None else self.score.scored


@dataclass(slots=True)
class Pass:
    crawl: CrawlReport
    after: AfterCrawl


class Pipeline:
    """The after-crawl steps for one process; keep one per process to keep the repost index warm."""

    def __init__(
        self, engine: Engine, cfg: Config, *, score: bool = True, push: bool = False, keep_index: bool = False
    ) -> None:
        self.engine = engine
        self.cfg = cfg
        self.score = score
        self.push = push and bool(cfg.webhooks)
        self.reposts = RepostCache() if keep_index else None

    def after_crawl(self) -> AfterCrawl:
        """Score what is pending, then push; each step's failure is kept apart from the others."""
        result = AfterCrawl()
        if self.score:
            try:
                result.score = score_pending(self.engine, self.cfg, reposts=self.reposts)
            except Exception as exc:  # noqa: BLE001 - scoring must not stop crawling; postings are stored
                result.errors.append(f"scoring failed: {exc}")
                log.error("scoring failed: %s", exc)
        if self.push:
            try:
                result.push = push_new(self.engine, self.cfg)
            except Exception as exc:  # noqa: BLE001 - a sink must not stop crawling; deliveries retry next run
                result.errors.append(f"push failed: {exc}")
                log.error("push failed: %s", exc)
            else:
                for err in result.push.errors:
                    log.warning("push: %s", err)
        return result

    def run(
        self,
        names: Sequence[str] | None = None,
        *,
        trigger: str,
        progress: ProgressFn | None = None,
        log_outcomes: bool = True,
    ) -> Pass:
        """Crawl ``names`` (default: every enabled source) once, then run the after-crawl steps.

        ``log_outcomes=False`` when the caller prints each source's outcome itself (``jobsift crawl``).
        """
        report = crawl(self.engine, self.cfg, names, trigger=trigger, progress=progress, log_outcomes=log_outcomes)
        return Pass(report, self.after_crawl())
