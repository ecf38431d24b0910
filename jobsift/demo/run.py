"""``jobsift demo``: the whole pipeline, offline, on bundled feeds served from loopback."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from jobsift.config import Config, FetchConfig, SourceConfig, load_config
from jobsift.demo.server import DemoServer
from jobsift.demo.sources import DEMO_SOURCES


@dataclass
class DemoResult:
    out_dir: Path
    db_path: Path
    config_path: Path
    crawl: Any = None
    score: Any = None
    applications: int = 0
    files: dict[str, Path] = field(default_factory=dict)


def demo_config(base_url: str, out_dir: Path) -> Config:
    db_path = out_dir / "jobsift-demo.db"
    sources = [
        SourceConfig(
            name=s.name,
            format=s.format,
            url=f"{base_url}/{s.path}",
            browser=s.browser,
            options=dict(s.options),
        )
        for s in DEMO_SOURCES
    ]
    base = load_config(None, env={})  # defaults only; the demo ignores the user's config
    return replace(
        base,
        sources=sources,
        # One source at a time, in the order above: postings get the same ids on every run, so the
        # ids the demo prints (and the README quotes) are the ids in the user's demo database.
        fetch=replace(
            FetchConfig(), per_host_delay=0.0, per_host_concurrency=8, retries=2, backoff_base=0.1, concurrency=1
        ),
    ).with_db(f"sqlite:///{db_path}")


def toml_value(value: Any) -> str:
    """A TOML literal for a plain value (strings, numbers, booleans, lists, inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(str(value), ensure_ascii=False)  # JSON string escapes are valid TOML


def write_config(cfg: Config, path: Path) -> None:
    lines = [
        "# Written by `jobsift demo`: the demo's sources, served from loopback while the demo runs.",
        "",
        "[database]",
        f"url = {toml_value(cfg.database.url)}",
        "",
    ]
    for s in cfg.sources:
        lines += [
            "[[sources]]",
            f"name = {toml_value(s.name)}",
            f"format = {toml_value(s.format)}",
            f"url = {toml_value(s.url)}",
        ]
        if s.browser:
            lines.append("browser = true")
        if s.options:
            lines.append(f"options = {toml_value(s.options)}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def run_demo(out_dir: Path, *, say: Callable[[str], None] = print) -> DemoResult:
    """Serve the demo feeds, crawl them into a fresh database, score, and write the outputs."""
    from jobsift.errors import JobsiftError
    from jobsift.pipeline import Pipeline
    from jobsift.store.db import open_store

    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("jobsift-demo.db*"):
        old.unlink()
    with DemoServer() as base_url:
        cfg = demo_config(base_url, out_dir)
        result = DemoResult(out_dir, out_dir / "jobsift-demo.db", out_dir / "jobsift.toml")
        write_config(cfg, result.config_path)
        engine = open_store(cfg.database.url)
        try:
            say(f"Serving {len(cfg.sources)} demo feeds on {base_url}; crawling...")
            done = Pipeline(engine, cfg).run(trigger="demo")
        except BaseException:
            engine.dispose()
            raise
    from jobsift.demo.applications import record_demo_applications
    from jobsift.publish.demo_outputs import write_demo_outputs

    try:
        if done.after.score is None:
            raise JobsiftError(done.after.errors[0])
        result.crawl, result.score = done.crawl, done.after.score
        result.applications = record_demo_applications(engine)  # before the outputs: the report shows the ledger
        result.files["database"] = result.db_path
        result.files["config"] = result.config_path
        result.files.update(write_demo_outputs(engine, cfg, out_dir, say=say))
    finally:
        engine.dispose()
    return result


def clean(out_dir: Path) -> None:
    shutil.rmtree(out_dir, ignore_errors=True)
