"""Postings and scores written by the tests themselves (no scorer needed): a small, varied store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select

from jobsift.model import Budget, Client, Posting
from jobsift.store.postings import upsert_postings
from jobsift.store.schema import postings, scores

NOW = datetime.now(UTC).replace(microsecond=0)
HOSTILE_DESC = (
    'Great job <script>alert("x")</script> <img src=x onerror="alert(1)"> '
    '<a href="javascript:alert(2)">click</a> <iframe src="https://evil.test/"></iframe> ]]> end'
)
HOSTILE_TITLE = "Dev\r\nBcc: victim@evil.test"
FORMULA_TITLE = '=HYPERLINK("http://evil.test","click")'


def budget(kind: str, lo: float, hi: float) -> Budget:
    return Budget(
        kind=kind,
        min=lo,
        max=hi,
        currency="USD",
        min_usd=lo,
        max_usd=hi,  # type: ignore[arg-type]
        provenance="field",
        raw=f"${lo}-${hi}",
    )


def reason(code: str, text: str, flag: str | None = None, contribution: float = -10.0) -> dict[str, Any]:
    return {"code": code, "text": text, "value": 1.0, "reference": 2.0, "contribution": contribution, "flag": flag}


#: (source, external id, title, description, budget, country, skills, client, hours ago, quality, flags)
JOBS: list[tuple[Any, ...]] = [
    (
        "alpha",
        "a1",
        "Senior Python developer for a data pipeline",
        "Build ETL in Python and Postgres.",
        budget("fixed", 2000, 3000),
        "Germany",
        ("python", "postgresql"),
        Client(
            key="c1", name="Acme GmbH", payment_verified=True, total_spent=50000.0, jobs_posted=20, jobs_with_hires=18
        ),
        1,
        88.0,
        [],
    ),
    (
        "alpha",
        "a2",
        "Logo design for a bakery",
        "Need a logo, quick turnaround, free test first.",
        budget("fixed", 10, 25),
        "India",
        ("logo design",),
        Client(key="c2", name="Cheap Co", payment_verified=False, jobs_posted=40, jobs_with_hires=0),
        2,
        12.0,
        ["ghost", "payment_unverified", "lowball"],
    ),
    (
        "beta",
        "b1",
        "React frontend for a dashboard",
        "React and TypeScript dashboard with charts.",
        budget("hourly", 40, 60),
        "United States",
        ("react", "typescript"),
        None,
        3,
        74.0,
        [],
    ),
    (
        "beta",
        "b2",
        "WordPress fixes",
        "Small fixes to a WordPress site.",
        budget("hourly", 5, 8),
        "Pakistan",
        ("wordpress",),
        None,
        5,
        35.0,
        ["lowball"],
    ),
    (
        "beta",
        "b3",
        "Data entry, contact me on telegram",
        "Unpaid trial task first, contact off platform.",
        None,
        None,
        (),
        Client(key="c3", name="Ghostly Ltd", jobs_posted=60, jobs_with_hires=1),
        30,
        20.0,
        ["ghost"],
    ),
    ("gamma", "g1", HOSTILE_TITLE, HOSTILE_DESC, budget("fixed", 500, 500), "Canada", ("python",), None, 6, 66.0, []),
    (
        "gamma",
        "g2",
        FORMULA_TITLE,
        "-2+3 formula",
        budget("fixed", 300, 300),
        "Canada",
        ("excel",),
        None,
        7,
        55.0,
        ["payment_unverified"],
    ),
    (
        "gamma",
        "g3",
        "Django API with 50% off' OR 1=1 --",
        "Python Django REST API.",
        budget("fixed", 800, 1200),
        "United Kingdom",
        ("python", "django"),
        None,
        8,
        80.0,
        [],
    ),
]

REASONS = {
    "ghost": reason("ghost_hire_rate", "client hired in 0 of 40 jobs posted", "ghost", -30),
    "payment_unverified": reason("payment_unverified", "payment method not verified", "payment_unverified", -15),
    "lowball": reason(
        "lowball_budget", "fixed $25 is the 4th percentile for logo design (median $150)", "lowball", -20
    ),
}


def seed(engine: Engine, jobs: list[tuple[Any, ...]] | None = None) -> dict[str, int]:
    """Insert the postings and a latest score for each; external id → posting id."""
    ids: dict[str, int] = {}
    for src, ext, title, desc, bud, country, skills, client, hours, quality, flags in jobs or JOBS:
        when = NOW - timedelta(hours=hours)
        p = Posting(
            source=src,
            external_id=ext,
            url=f"https://{src}.test/jobs/{ext}",
            title=title,
            description_text=desc,
            description_html=f"<p>{desc}</p>",
            posted_at=when,
            budget=bud,
            country=country,
            skills=skills,
            client=client,
            category="Web" if src == "beta" else "Data",
        )
        with engine.begin() as conn:
            upsert_postings(conn, src, [p], when)
            pid = conn.execute(select(postings.c.id).where(postings.c.external_id == ext)).scalar_one()
            ids[ext] = pid
            write_score(conn, pid, quality, flags, when)
    return ids


def write_score(conn: Any, pid: int, quality: float, flags: list[str], when: datetime) -> None:
    reasons = [REASONS[f] for f in flags] + [reason("budget_ok", "budget near the market median", None, 5.0)]
    conn.execute(
        insert(scores).values(
            posting_id=pid,
            scored_at=when,
            is_latest=True,
            model_version="rules-test",
            quality=quality,
            flags=flags,
            flags_text="," + ",".join(flags) + ",",  # ",," when none, as the scorer writes
            ghost_probability=0.9 if "ghost" in flags else 0.1,
            payment_status="unverified" if "payment_unverified" in flags else "verified",
            lowball_ratio=0.2 if "lowball" in flags else 1.1,
            lowball_percentile=4.0 if "lowball" in flags else 55.0,
            reasons=reasons,
            features={"hire_rate": 0.5, "proposals": 12},
        )
    )
    conn.execute(postings.update().where(postings.c.id == pid).values(needs_scoring=False))


def seed_history(engine: Engine, days: int = 14, per_day: int = 6) -> None:
    """A few weeks of jobs from three sources, with clients, flags and fetch outcomes (for the report)."""
    from jobsift.store.schema import fetches, runs, sources

    cats = [
        ("Logo design", "fixed", 150.0),
        ("Web development", "hourly", 45.0),
        ("Data entry", "fixed", 80.0),
        ("Mobile apps", "fixed", 2500.0),
    ]
    ghosts = [
        Client(key=f"gc{i}", name=f"Ghost client {i}", jobs_posted=30 + i, jobs_with_hires=i % 2) for i in range(4)
    ]
    good = [
        Client(key=f"ok{i}", name=f"Steady client {i}", payment_verified=True, jobs_posted=12, jobs_with_hires=10)
        for i in range(4)
    ]
    with engine.begin() as conn:
        ids = {}
        for name, outcome, fails, err in (
            ("alpha", "ok", 0, None),
            ("beta", "failed", 4, "HTTP 503 three times"),
            ("gamma", "blocked", 2, "robots.txt forbids /jobs.rss"),
        ):
            ids[name] = conn.execute(
                insert(sources)
                .values(
                    name=name,
                    format="rss",
                    url=f"https://{name}.test/feed",
                    enabled=True,
                    last_outcome=outcome,
                    consecutive_failures=fails,
                    last_error=err,
                    last_success_at=NOW - timedelta(days=1),
                    last_items=20,
                )
                .returning(sources.c.id)
            ).scalar_one()
        run_id = conn.execute(
            insert(runs).values(started_at=NOW, status="ok", trigger="cli").returning(runs.c.id)
        ).scalar_one()
        for d in range(days):
            for name, sid in ids.items():
                outcome = "ok" if (name == "alpha" or d % 3) else ("failed" if name == "beta" else "blocked")
                conn.execute(
                    insert(fetches).values(
                        run_id=run_id, source_id=sid, started_at=NOW - timedelta(days=d), outcome=outcome
                    )
                )
    n = 0
    for d in range(days):
        for k in range(per_day):
            n += 1
            src = ("alpha", "beta", "gamma")[k % 3]
            cat, kind, median = cats[(d + k) % len(cats)]
            is_ghost = (k + d) % 5 == 0 or (src == "gamma" and d < 5 and k % 2 == 0)
            lowball = (k * 7 + d) % 4 == 0
            price = median * (0.2 if lowball else 0.7 + ((k * 13 + d) % 10) / 10)
            client = ghosts[n % 4] if is_ghost else good[n % 4]
            flags = (["ghost"] if is_ghost else []) + (["lowball"] if lowball else [])
            when = NOW - timedelta(days=d, hours=k)
            p = Posting(
                source=src,
                external_id=f"h{n}",
                url=f"https://{src}.test/h{n}",
                title=f"{cat} job {n}",
                description_text=f"{cat} work.",
                posted_at=when,
                category=cat,
                budget=budget(kind, price, price),
                client=client,
            )
            with engine.begin() as conn:
                upsert_postings(conn, src, [p], when)
                pid = conn.execute(select(postings.c.id).where(postings.c.external_id == f"h{n}")).scalar_one()
                write_score(conn, pid, 20.0 if is_ghost else 75.0, flags, when)
                conn.execute(
                    scores.update()
                    .where(scores.c.posting_id == pid)
                    .values(lowball_ratio=price / median, ghost_probability=0.85 if is_ghost else 0.15)
                )
