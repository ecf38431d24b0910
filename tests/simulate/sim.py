"""Helpers for the simulated-marketplace tests: a config pointing at the loopback simulator."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Engine

from jobsift.config import Config, config_from_dict
from jobsift.crawler.fetch import Fetcher
from jobsift.crawler.reobserve import ReobserveReport, reobserve
from jobsift.simulate.server import SimServer

SEARCH = {"query": "query { marketplaceJobPostingsSearch { edges { node { id } } } }"}


def sim_config(db_url: str, server: SimServer, **outcomes: Any) -> Config:
    return config_from_dict(
        {
            "database": {"url": db_url},
            "fetch": {"per_host_delay": 0.0, "retries": 1},
            "outcomes": outcomes,
            "sources": [
                {
                    "name": "upwork-sim",
                    "format": "upwork-graphql",
                    "url": server.base_url + "/graphql",
                    "post_json": SEARCH,
                },
                {
                    "name": "freelancer-sim",
                    "format": "freelancer",
                    "url": server.base_url + "/api/projects/0.1/projects/active/",
                },
            ],
        },
        env={},
    )


def run_reobserve(engine: Engine, cfg: Config, server: SimServer, names: list[str] | None = None) -> ReobserveReport:
    async def go() -> ReobserveReport:
        async with Fetcher(cfg.fetch) as fetcher:
            return await reobserve(engine, cfg, fetcher, names, now=server.now)

    return asyncio.run(go())
