"""A simulated freelance marketplace: clients with a latent propensity to hire, and what they post.

Every client has a propensity ``q`` (Beta(2, 1.6), mean 0.56): each of its postings ends in a hire
with probability ``q``, independently of everything else given ``q``. What a crawler sees depends on
``q`` only through these documented fields (so a model can learn it, but never read it):

* history: ``jobs_posted`` = 1 + Poisson(8); ``jobs_with_hires`` ~ Binomial(jobs_posted − 1, q);
  ``hire_rate`` their ratio; ``total_spent`` = Σ lognormal(log 400, 1) over those hires;
* ``payment_verified`` ~ Bernoulli(0.4 + 0.5·q); ``open_jobs`` ~ Poisson(1 + 6·(1 − q));
* last client activity: Exponential, mean 2 + 20·(1 − q) days before the posting;
  account age: 5 + Exponential(mean 300·(0.3 + q)) days;
* per posting: proposals ~ Poisson(20); interviewing ~ Binomial(3, q); invites ~ Poisson(3) of which
  unanswered ~ Binomial(invites, 0.5 + 0.4·(1 − q)); text cues: "details in chat" with probability
  0.15·(1 − q), "unpaid test task" with 0.05·(1 − q).

Outcomes over simulated days: a hire is revealed 1 + Geometric(0.3) days after posting; a posting
with no hire closes (``closed_no_hire``) between day 5 and 30. Independently of the outcome, 15% of
postings are censored: they vanish from the listing on a day between 3 and 20 and their details
answer "not found" from then on (``gone`` / unknown: never a label).

These parameters are the simulator's own. They are not, and must not be, the default ghost weights
(those are documented, hand-set, in docs/scoring.md); a test checks the defaults are not fitted here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

START = datetime(2026, 1, 5, tzinfo=UTC)
WORDS = (
    "build",
    "a",
    "landing",
    "page",
    "for",
    "our",
    "product",
    "with",
    "clean",
    "responsive",
    "design",
    "and",
    "integrate",
    "payments",
    "api",
    "tests",
    "deploy",
    "docs",
    "support",
    "data",
    "report",
)
SKILLS = ("Python", "React", "WordPress", "Shopify", "Data Entry", "Logo Design", "SEO", "Excel")


@dataclass(frozen=True, slots=True)
class SimClient:
    key: str
    q: float
    jobs_posted: int
    jobs_with_hires: int
    total_spent: float
    payment_verified: bool
    open_jobs: int
    age_days: float
    inactive_days: float
    country: str


@dataclass(frozen=True, slots=True)
class SimPosting:
    key: str
    client: SimClient
    source: str  # "upwork" | "freelancer"
    posted_day: float
    title: str
    description: str
    skills: tuple[str, ...]
    budget: float
    hourly: bool
    proposals: int
    interviewing: int
    invites_sent: int
    unanswered: int
    hired: bool
    resolve_day: float
    censor_day: float | None  # vanishes (details: not found) from this day, if censored first

    def state(self, day: float) -> str:
        """What the source would say on ``day``: open, hired, closed_no_hire, or gone (not found)."""
        if day < self.posted_day:
            return "unposted"
        if self.censor_day is not None and day >= self.censor_day and self.censor_day <= self.resolve_day:
            return "gone"
        if day >= self.resolve_day:
            return "hired" if self.hired else "closed_no_hire"
        return "open"

    @property
    def label(self) -> int | None:
        """1 = never hired, 0 = hired, None = censored (its outcome is never revealed)."""
        if self.censor_day is not None and self.censor_day <= self.resolve_day:
            return None
        return 0 if self.hired else 1


@dataclass
class Marketplace:
    clients: list[SimClient] = field(default_factory=list)
    postings: list[SimPosting] = field(default_factory=list)
    start: datetime = START

    def at(self, day: float) -> datetime:
        return self.start + timedelta(days=day)

    def listed(self, source: str, day: float) -> Iterator[SimPosting]:
        for p in self.postings:
            if p.source == source and p.state(day) == "open":
                yield p

    def by_key(self) -> dict[str, SimPosting]:
        return {p.key: p for p in self.postings}


def simulate(
    clients: int,
    *,
    seed: int = 0,
    postings_per_client: float = 3.0,
    days: float = 30.0,
    sources: tuple[str, ...] = ("upwork", "freelancer"),
    censored_share: float = 0.15,
    start: datetime = START,
) -> Marketplace:
    """A marketplace of ``clients`` clients posting over ``days`` simulated days."""
    rng = np.random.default_rng(seed)
    m = Marketplace(start=start)
    n = 0
    for c in range(clients):
        q = float(rng.beta(2.0, 1.6))
        posted = 1 + int(rng.poisson(8))
        with_hires = int(rng.binomial(posted - 1, q))
        spent = float(np.round(rng.lognormal(np.log(400), 1.0, size=with_hires).sum(), 2))
        client = SimClient(
            key=f"c{seed}-{c}",
            q=q,
            jobs_posted=posted,
            jobs_with_hires=with_hires,
            total_spent=spent,
            payment_verified=bool(rng.random() < 0.4 + 0.5 * q),
            open_jobs=int(rng.poisson(1 + 6 * (1 - q))),
            age_days=float(5 + rng.exponential(300 * (0.3 + q))),
            inactive_days=float(rng.exponential(2 + 20 * (1 - q))),
            country=("United States", "India", "Germany", "Brazil")[int(rng.integers(4))],
        )
        m.clients.append(client)
        source = sources[c % len(sources)]
        for _ in range(max(1, int(rng.poisson(postings_per_client)))):
            n += 1
            hired = bool(rng.random() < q)
            resolve = float(1 + rng.geometric(0.3)) if hired else float(rng.uniform(5, 30))
            posted_day = float(rng.uniform(0, days))
            censor = float(posted_day + rng.uniform(3, 20)) if rng.random() < censored_share else None
            words = [WORDS[int(i)] for i in rng.integers(len(WORDS), size=int(rng.integers(20, 60)))]
            if rng.random() < 0.15 * (1 - q):
                words += ["details", "in", "chat"]
            if rng.random() < 0.05 * (1 - q):
                words += ["unpaid", "test", "task", "first"]
            invites = int(rng.poisson(3))
            m.postings.append(
                SimPosting(
                    key=f"{source[0]}{seed}x{n}",
                    client=client,
                    source=source,
                    posted_day=posted_day,
                    title=f"{SKILLS[n % len(SKILLS)]} job {n}",
                    description=" ".join(words),
                    skills=(SKILLS[n % len(SKILLS)],),
                    budget=float(rng.choice([50, 150, 500, 1200, 3000])),
                    hourly=False,
                    proposals=int(rng.poisson(20)),
                    interviewing=int(rng.binomial(3, q)),
                    invites_sent=invites,
                    unanswered=int(rng.binomial(invites, 0.5 + 0.4 * (1 - q))),
                    hired=hired,
                    resolve_day=posted_day + resolve,
                    censor_day=censor,
                )
            )
    return m


def posting_row(p: SimPosting, start: datetime, seen_day: float | None = None) -> dict[str, Any]:
    """The ``postings`` row a crawl of it on ``seen_day`` (default: the day it was posted) would store."""
    seen = start + timedelta(days=p.posted_day if seen_day is None else seen_day)
    return {
        "title": p.title,
        "description_text": p.description,
        "posted_at": start + timedelta(days=p.posted_day),
        "first_seen_at": seen,
        "last_seen_at": seen,
        "proposals": p.proposals,
        "interviewing": p.interviewing,
        "invites_sent": p.invites_sent,
        "unanswered_invites": p.unanswered,
        "hires": 0,
        "last_client_activity_at": start + timedelta(days=p.posted_day - p.client.inactive_days),
        "skills": list(p.skills),
        "budget_kind": None,
    }


def client_row(c: SimClient, start: datetime, day: float) -> dict[str, Any]:
    return {
        "payment_verified": c.payment_verified,
        "hire_rate": round(c.jobs_with_hires / c.jobs_posted, 3),
        "jobs_posted": c.jobs_posted,
        "jobs_with_hires": c.jobs_with_hires,
        "total_spent": c.total_spent,
        "open_jobs": c.open_jobs,
        "member_since": start + timedelta(days=day - c.age_days),
        "country": c.country,
    }


def examples(m: Marketplace) -> tuple[list[dict[str, Any]], list[int], list[str]]:
    """(features as scoring stores them at first sight, never-hired label, client) of every resolved posting."""
    from jobsift.scoring.features import Settings, build_features
    from jobsift.scoring.market import Market
    from jobsift.store.scoring_records import ClientForScoring, PostingForScoring

    market = Market.from_history({}, [], 30)
    settings = Settings()
    feats: list[dict[str, Any]] = []
    ys: list[int] = []
    groups: list[str] = []
    for p in m.postings:
        y = p.label
        if y is None:
            continue
        now = m.at(p.posted_day)
        f = build_features(
            PostingForScoring.from_mapping(posting_row(p, m.start)),
            ClientForScoring.from_mapping(client_row(p.client, m.start, p.posted_day)).stats,
            now=now,
            market=market,
            settings=settings,
            reposts=0,
            relists=0,
            text_scam_prob=None,
            text_prior=None,
        )
        feats.append(f)
        ys.append(y)
        groups.append(p.client.key)
    return feats, ys, groups
