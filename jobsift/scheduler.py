"""Entry point for running jobsift continuously (the parts live in ``jobsift.scheduling``).

- ``run_daemon(engine, cfg)``: ``jobsift schedule``, APScheduler on one machine;
- ``run_worker(engine, cfg, once=...)``: ``jobsift worker``, any number sharing PostgreSQL;
- ``claim_due`` / ``release``: the source leases both use.
"""

from __future__ import annotations

from jobsift.scheduling.daemon import SHUTDOWN_SECONDS, Daemon, run_daemon
from jobsift.scheduling.leases import claim_due, release, renew
from jobsift.scheduling.worker import Worker, WorkerReport, run_worker

__all__ = [
    "SHUTDOWN_SECONDS",
    "Daemon",
    "Worker",
    "WorkerReport",
    "claim_due",
    "release",
    "renew",
    "run_daemon",
    "run_worker",
]
