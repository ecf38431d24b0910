"""RSS ingest (parse + upsert) in postings per second: jobsift against feedparser + an ORM loop.

Both sides ingest the same generated RSS feeds into a fresh SQLite file, one transaction per feed,
and both deduplicate on (source, external_id). The baseline is what a first version would write:
``feedparser.parse`` then, per entry, an ORM lookup and ``session.add``.
"""

import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

WORDS = (
    "python",
    "django",
    "react",
    "data",
    "pipeline",
    "api",
    "design",
    "logo",
    "brand",
    "support",
    "remote",
    "senior",
    "junior",
    "contract",
    "fixed",
    "hourly",
    "kubernetes",
    "terraform",
    "writer",
    "marketing",
    "sales",
    "analytics",
    "cloud",
    "mobile",
    "ios",
    "android",
    "figma",
    "shopify",
    "wordpress",
    "seo",
    "video",
    "editor",
    "translator",
)


def make_feed(feed_no: int, items: int, rng: random.Random) -> bytes:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>',
        f"<title>Bench feed {feed_no}</title><link>https://bench.invalid/{feed_no}</link>",
    ]
    for i in range(items):
        words = " ".join(rng.choice(WORDS) for _ in range(60))
        title = " ".join(rng.choice(WORDS) for _ in range(6)).title()
        when = format_datetime(now - timedelta(minutes=feed_no * items + i))
        parts.append(
            f"<item><title>{title}</title><link>https://bench.invalid/jobs/{feed_no}-{i}</link>"
            f'<guid isPermaLink="false">job-{feed_no}-{i}</guid><pubDate>{when}</pubDate>'
            f"<category>{rng.choice(WORDS)}</category>"
            f"<description><![CDATA[<p>{words}</p><ul><li>{title}</li></ul>]]></description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def ingest_jobsift(feeds: list[bytes], db: Path) -> int:
    from jobsift.crawler.sources.rss import parse
    from jobsift.store.db import open_store
    from jobsift.store.postings import upsert_postings

    engine = open_store(f"sqlite:///{db}")
    now = datetime.now(UTC)
    n = 0
    for body in feeds:
        result = parse(body, {}, source="bench", options={})
        with engine.begin() as conn:
            n += upsert_postings(conn, "bench", result.postings, now).total
    engine.dispose()
    return n


class Base(DeclarativeBase):
    pass


class Job(Base):
    """The baseline's table: a plain ORM model."""

    __tablename__ = "jobs"
    __table_args__ = (UniqueConstraint("source", "external_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(Text)
    posted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)


def ingest_baseline(feeds: list[bytes], db: Path) -> int:
    import feedparser
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    engine = create_engine(f"sqlite:///{db}")
    Base.metadata.create_all(engine, checkfirst=True)
    now = datetime.now(UTC).replace(tzinfo=None)
    n = 0
    for body in feeds:
        parsed = feedparser.parse(body)
        with Session(engine) as session, session.begin():
            for e in parsed.entries:
                key = e.get("id") or e.get("link")
                job = session.scalar(select(Job).where(Job.source == "bench", Job.external_id == key))
                if job is None:
                    published = e.get("published_parsed")
                    session.add(
                        Job(
                            source="bench",
                            external_id=key,
                            url=e.get("link"),
                            title=e.get("title"),
                            description=e.get("summary"),
                            category=(e.get("tags") or [{}])[0].get("term"),
                            posted_at=datetime(*published[:6]) if published else None,
                            last_seen_at=now,
                        )
                    )
                else:
                    job.last_seen_at = now
                n += 1
    engine.dispose()
    return n


def run(quick: bool) -> list[dict[str, Any]]:
    rng = random.Random(7)
    n_feeds, per_feed = (20, 50) if quick else (200, 50)
    feeds = [make_feed(i, per_feed, rng) for i in range(n_feeds)]
    size_mb = sum(map(len, feeds)) / 1e6
    records: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        # First pass: every posting is new. Second pass: the same feeds again (the usual crawl).
        for label in ("new postings", "unchanged postings, second crawl"):
            t0 = time.perf_counter()
            n_base = ingest_baseline(feeds, Path(tmp) / "baseline.db")
            t_base = time.perf_counter() - t0
            t0 = time.perf_counter()
            n_ours = ingest_jobsift(feeds, Path(tmp) / "jobsift.db")
            t_ours = time.perf_counter() - t0
            assert n_ours == n_base == n_feeds * per_feed
            ours, base = n_ours / t_ours, n_base / t_base
            records.append(
                {
                    "name": f"ingest/rss {label} (parse+upsert)",
                    "value": ours,
                    "unit": "postings/s",
                    "baseline": base,
                    "ratio": ours / base,
                    "note": f"{n_feeds} feeds x {per_feed} items, {size_mb:.1f} MB; baseline feedparser + ORM loop",
                }
            )
    return records
