"""Running jobsift continuously: source leases, the APScheduler daemon and the worker loop.

    leases.py    claim / renew / release sources (``SELECT ... FOR UPDATE SKIP LOCKED``)
    claims.py    one process per periodic job and period (digest, prune)
    periodic.py  the digest and prune jobs: when they are due, what they call
    batch.py     crawl a set of claimed sources, renew while fetching, release, score
    worker.py    ``jobsift worker``: claim what is due, crawl it, repeat
    daemon.py    ``jobsift schedule``: one APScheduler job per source on one machine

The store, not the scheduler's memory, decides what is due: ``sources.next_due_at`` and the
leases. Both the daemon and the workers go through the same claim, so a source is never
crawled by two processes at once, whichever mix of them runs.
"""
