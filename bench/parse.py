"""Parse speed: postings per second with jobsift's parsers, against feedparser on the same XML bytes.

A corpus of at least 20 MB (``quick``: about 3 MB) is generated in a temporary directory from
templates in the real formats: RSS, Upwork-style RSS, We Work Remotely RSS, RemoteOK, Remotive,
Freelancer and Upwork GraphQL JSON, as feeds of 100 items each (like real feeds). Each format is
parsed file by file with the registered ``parse()`` the crawler calls (sanitised HTML, text,
budgets, dates: everything the store gets); XML formats are also parsed by ``feedparser.parse``
(the usual tool, with its defaults) on the same bytes in the same run, feed by feed in turn, and
the ratio is reported per format and over all XML feeds. Times are CPU time of this process,
steadier than wall time on a shared machine. JSON formats have no feedparser equivalent; their
baseline is the standard library's ``json.loads`` alone (decoding only).
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ITEMS_PER_FILE = 100
WORDS = [
    "python",
    "django",
    "react",
    "api",
    "data",
    "pipeline",
    "cloud",
    "kubernetes",
    "design",
    "logo",
    "shopify",
    "wordpress",
    "seo",
    "content",
    "mobile",
    "flutter",
    "swift",
    "testing",
    "automation",
    "scraping",
    "dashboard",
    "analytics",
    "machine",
    "learning",
    "model",
    "migration",
    "performance",
    "security",
    "support",
    "remote",
    "contract",
    "budget",
    "client",
    "milestone",
    "deadline",
]
SKILLS = ("Python", "Django", "React", "TypeScript", "PHP", "Laravel", "AWS", "Docker", "Figma", "SEO")
COUNTRIES = ("United States", "Germany", "India", "Canada", "Australia", "United Kingdom", "Brazil")


def _prose(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _html(rng: random.Random) -> str:
    paras = [_prose(rng, rng.randint(25, 60)) for _ in range(rng.randint(3, 6))]
    items = "".join(f"<li>{_prose(rng, 6)}</li>" for _ in range(4))
    return "".join(f"<p>{p}</p>" for p in paras) + f"<ul>{items}</ul>"


def _when(i: int) -> datetime:
    return datetime(2026, 11, 22, 6, tzinfo=UTC) - timedelta(minutes=7 * i)


def rss_file(rng: random.Random, start: int) -> bytes:
    items = []
    for i in range(start, start + ITEMS_PER_FILE):
        items.append(
            f"<item><title>{_prose(rng, 5)}</title><link>https://jobs.example.com/{i}?utm_source=rss</link>"
            f'<guid isPermaLink="false">job-{i}</guid><pubDate>{format_datetime(_when(i))}</pubDate>'
            f"<category>{rng.choice(SKILLS)}</category><category>{rng.choice(SKILLS)}</category>"
            f"<description><![CDATA[{_html(rng)}<p>Salary: ${rng.randint(40, 160)},000 a year</p>]]>"
            "</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench jobs</title>'
        "<link>https://jobs.example.com/</link><description>bench</description>" + "".join(items) + "</channel></rss>"
    ).encode()


def upwork_rss_file(rng: random.Random, start: int) -> bytes:
    items = []
    for i in range(start, start + ITEMS_PER_FILE):
        url = f"https://www.upwork.com/jobs/Bench-job-{i}_%7E01{i:016x}?source=rss"
        money = (
            f"<b>Hourly Range</b>: ${rng.randint(5, 40)}.00-${rng.randint(41, 90)}.00"
            if i % 2
            else f"<b>Budget</b>: ${rng.randint(1, 50) * 50:,}"
        )
        desc = (
            f"{_html(rng)}<br /><br />{money}\n<br /><b>Posted On</b>: "
            f"{_when(i).strftime('%B %d, %Y %H:%M')} UTC<br /><b>Category</b>: Web Development<br />"
            f"<b>Skills</b>:{',     '.join(rng.sample(SKILLS, 4))}\n<br /><b>Country</b>: {rng.choice(COUNTRIES)}"
            f'\n<br /><a href="{url}">click to apply</a>\n'
        )
        items.append(
            f"<item><title><![CDATA[{_prose(rng, 6)} - Upwork]]></title><link>{url}</link>"
            f"<description><![CDATA[{desc}]]></description><content:encoded><![CDATA[{desc}]]></content:encoded>"
            f"<pubDate>{format_datetime(_when(i))}</pubDate><guid>{url}</guid></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'version="2.0"><channel><title><![CDATA[Bench - Payment verified jobs | upwork.com]]></title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def wwr_file(rng: random.Random, start: int) -> bytes:
    from html import escape

    items = []
    for i in range(start, start + ITEMS_PER_FILE):
        url = f"https://weworkremotely.com/remote-jobs/bench-{i}"
        items.append(
            f"<item><title>Company {i % 97}: {_prose(rng, 4)}</title><region>Anywhere in the World</region>"
            f"<category>Programming</category><type>Full-Time</type><description>{escape(_html(rng))}</description>"
            f"<pubDate>{format_datetime(_when(i))}</pubDate><guid>{url}</guid><link>{url}</link></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>WWR bench</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def remoteok_file(rng: random.Random, start: int) -> bytes:
    jobs: list[dict[str, Any]] = [{"last_updated": 1, "legal": "bench notice"}]
    for i in range(start, start + ITEMS_PER_FILE):
        jobs.append(
            {
                "slug": f"bench-{i}",
                "id": str(i),
                "epoch": int(_when(i).timestamp()),
                "company": f"Co {i % 50}",
                "position": _prose(rng, 4),
                "tags": rng.sample(WORDS, 4),
                "description": _html(rng),
                "location": rng.choice(COUNTRIES),
                "salary_min": rng.randint(0, 9) * 10000,
                "salary_max": 120000,
                "url": f"https://remoteok.com/remote-jobs/bench-{i}",
            }
        )
    return json.dumps(jobs).encode()


def remotive_file(rng: random.Random, start: int) -> bytes:
    jobs = [
        {
            "id": i,
            "url": f"https://remotive.com/remote-jobs/dev/bench-{i}",
            "title": _prose(rng, 4),
            "company_name": f"Co {i % 50}",
            "category": "Software Development",
            "tags": rng.sample(WORDS, 3),
            "job_type": rng.choice(["full_time", "contract"]),
            "publication_date": _when(i).strftime("%Y-%m-%dT%H:%M:%S"),
            "candidate_required_location": "Worldwide",
            "salary": rng.choice(["", "$50-$75 /hour", "$80k - $100k", "€60k", "Competitive"]),
            "description": _html(rng),
        }
        for i in range(start, start + ITEMS_PER_FILE)
    ]
    return b"\xef\xbb\xbf" + json.dumps({"job-count": len(jobs), "jobs": jobs}).encode()


def freelancer_file(rng: random.Random, start: int) -> bytes:
    projects, users = [], {}
    for i in range(start, start + ITEMS_PER_FILE):
        owner = 1000 + i % 300
        projects.append(
            {
                "id": i,
                "owner_id": owner,
                "title": _prose(rng, 5),
                "seo_url": f"python/bench-{i}",
                "preview_description": _prose(rng, 40),
                "description": _html(rng),
                "currency": {"code": rng.choice(["USD", "INR", "GBP", "EUR", "AUD"])},
                "budget": {"minimum": 30, "maximum": rng.randint(50, 2000)},
                "type": rng.choice(["fixed", "hourly"]),
                "bid_stats": {"bid_count": rng.randint(0, 80)},
                "time_submitted": int(_when(i).timestamp()),
            }
        )
        users[str(owner)] = {
            "id": owner,
            "status": {"payment_verified": bool(i % 3)},
            "location": {"country": {"name": rng.choice(COUNTRIES)}},
        }
    return json.dumps({"status": "success", "result": {"projects": projects, "users": users}}).encode()


def graphql_file(rng: random.Random, start: int) -> bytes:
    results = [
        {
            "id": str(i),
            "title": _prose(rng, 5),
            "description": _prose(rng, 150),
            "upworkHistoryData": {
                "client": {
                    "paymentVerificationStatus": rng.choice(["VERIFIED", "UNVERIFIED"]),
                    "country": rng.choice(COUNTRIES),
                    "totalReviews": rng.randint(0, 90),
                    "totalFeedback": 4.5,
                    "totalSpent": {"amount": str(rng.randint(0, 9999))},
                }
            },
            "jobTile": {
                "job": {
                    "ciphertext": f"~02{i:019d}",
                    "jobType": "FIXED",
                    "contractorTier": "ExpertLevel",
                    "publishTime": _when(i).isoformat(),
                    "totalApplicants": rng.randint(0, 50),
                    "fixedPriceAmount": {"amount": str(rng.randint(10, 3000))},
                }
            },
        }
        for i in range(start, start + ITEMS_PER_FILE)
    ]
    return json.dumps({"data": {"search": {"universalSearchNuxt": {"userJobSearchV1": {"results": results}}}}}).encode()


# format name -> (generator, share of the corpus in MB at full size, is XML)
FORMATS: dict[str, tuple[Callable[[random.Random, int], bytes], float, bool]] = {
    "rss": (rss_file, 5.0, True),
    "upwork-rss": (upwork_rss_file, 5.0, True),
    "weworkremotely": (wwr_file, 3.0, True),
    "remoteok": (remoteok_file, 3.0, False),
    "remotive": (remotive_file, 2.0, False),
    "freelancer": (freelancer_file, 2.0, False),
    "upwork-graphql": (graphql_file, 1.5, False),
}


def build_corpus(root: Path, scale: float) -> dict[str, list[Path]]:
    rng = random.Random(20261122)
    out: dict[str, list[Path]] = {}
    for fmt, (gen, mb, _xml) in FORMATS.items():
        target, size, n = mb * scale * 1_000_000, 0, 0
        folder = root / fmt
        folder.mkdir(parents=True)
        files = []
        while size < target:
            body = gen(rng, n * ITEMS_PER_FILE)
            path = folder / f"{n:04d}.{'xml' if FORMATS[fmt][2] else 'json'}"
            path.write_bytes(body)
            files.append(path)
            size += len(body)
            n += 1
        out[fmt] = files
    return out


def _cpu(fn: Callable[[], int]) -> tuple[float, int]:
    """CPU seconds of ``fn()`` and its count. Both parsers are single-threaded and CPU-bound; CPU
    time is steadier than wall time on a shared machine and charges neither for the other's waits."""
    start = time.process_time()
    count = fn()
    return time.process_time() - start, count


def _count(parse: Callable[..., Any], body: bytes, fmt: str) -> int:
    return len(parse(body, {}, source=fmt, options={}).postings)


def run(quick: bool) -> list[dict[str, Any]]:
    import feedparser

    from jobsift.crawler.sources import get_format
    from jobsift.crawler.sources.rss import read_feed

    records: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="jobsift-bench-parse-") as tmp:
        corpus = build_corpus(Path(tmp), 0.15 if quick else 1.0)
        total_bytes = sum(p.stat().st_size for files in corpus.values() for p in files)
        total_posts, total_secs = 0, 0.0
        xml_posts, xml_secs, xml_base_secs = 0, 0.0, 0.0
        for fmt, files in corpus.items():
            bodies = [p.read_bytes() for p in files]
            size_mb = sum(map(len, bodies)) / 1e6
            # The parser the crawler and `jobsift import` call: registered under the format's name.
            parse = get_format(fmt).parse
            is_xml = FORMATS[fmt][2]
            _count(parse, bodies[0], fmt)  # warm-up (lazy imports, caches), for both sides
            if is_xml:
                feedparser.parse(bodies[0])
            secs = base_secs = 0.0
            posts = base_posts = 0
            # Interleaved feed by feed, so a change in the machine's load hits both sides alike.
            for body in bodies:
                took, n = _cpu(lambda body=body, parse=parse, fmt=fmt: _count(parse, body, fmt))
                secs, posts = secs + took, posts + n
                if is_xml:  # feedparser's defaults: it sanitises HTML and resolves URIs too
                    took, n = _cpu(lambda body=body: len(feedparser.parse(body).entries))
                    base_secs, base_posts = base_secs + took, base_posts + n
            total_posts, total_secs = total_posts + posts, total_secs + secs
            rate = posts / secs
            if is_xml:
                assert base_posts == posts, (fmt, base_posts, posts)
                xml_posts, xml_secs, xml_base_secs = xml_posts + posts, xml_secs + secs, xml_base_secs + base_secs
                base_rate = base_posts / base_secs
                note = f"{size_mb:.1f} MB in {len(bodies)} feeds; baseline feedparser.parse on the same bytes"
                # The XML layer alone (bytes -> entries, as feedparser delivers them, before our
                # per-posting work: HTML sanitising, text, budgets, URLs, dates).
                xml_layer_secs, xml_items = _cpu(lambda bodies=bodies: sum(len(read_feed(b).items) for b in bodies))
                records.append(
                    {
                        "name": f"parse/{fmt}/xml-layer",
                        "value": round(xml_items / xml_layer_secs),
                        "unit": "entries/s",
                        "baseline": round(base_rate),
                        "ratio": round(xml_items / xml_layer_secs / base_rate, 2),
                        "note": "read_feed (strict lxml path) vs feedparser.parse, same bytes",
                    }
                )
            else:
                base_secs, _ = _cpu(
                    lambda bodies=bodies: sum(len(str(json.loads(b.decode("utf-8-sig")))) > 0 for b in bodies)
                )
                base_rate = posts / base_secs
                note = f"{size_mb:.1f} MB in {len(bodies)} files; baseline json.loads alone (decoding, no mapping)"
            records.append(
                {
                    "name": f"parse/{fmt}",
                    "value": round(rate),
                    "unit": "postings/s",
                    "baseline": round(base_rate),
                    "ratio": round(rate / base_rate, 2),
                    "note": note,
                }
            )
        records.extend(floor_records(corpus, xml_posts, xml_base_secs))
        records.append(
            {
                "name": "parse/xml-all",
                "value": round(xml_posts / xml_secs),
                "unit": "postings/s",
                "baseline": round(xml_posts / xml_base_secs),
                "ratio": round(xml_base_secs / xml_secs, 2),
                "note": f"every XML feed: {xml_posts} postings, {xml_secs:.2f} s vs feedparser "
                f"{xml_base_secs:.2f} s (CPU time)",
            }
        )
        records.append(
            {
                "name": "parse/all",
                "value": round(total_posts / total_secs),
                "unit": "postings/s",
                "baseline": None,
                "ratio": None,
                "note": f"{total_bytes / 1e6:.1f} MB corpus, {total_posts} postings, {total_secs:.2f} s CPU",
            }
        )
        records.extend(real_sample_records(feedparser, 2 if quick else 10))
    return records


def _floor_secs(bodies: list[bytes]) -> tuple[float, int]:
    """CPU time of the two compiled libraries every XML posting needs, and nothing else: lxml reading
    the feed (``read_feed``, the strict path) and nh3 sanitising each description (``nh3_clean``; the
    parsers' already-clean check, which can skip nh3, costs about as much as nh3 itself). Text,
    budgets, dates and URLs (pure Python) come on top of this."""
    from jobsift.crawler.markup import nh3_clean
    from jobsift.crawler.sources.rss import read_feed

    def work() -> int:
        n = 0
        for body in bodies:
            for item in read_feed(body).items:
                nh3_clean(item.description or "")
                n += 1
        return n

    return _cpu(work)


def floor_records(corpus: dict[str, list[Path]], base_n: int, base_secs: float) -> list[dict[str, Any]]:
    """The ceiling on the ratio to feedparser for any parser that reads with lxml and sanitises with nh3.

    ``base_n`` entries in ``base_secs``: feedparser on the same XML feeds, as already timed by ``run``.
    """
    bodies = [p.read_bytes() for fmt, files in corpus.items() if FORMATS[fmt][2] for p in files]
    secs, n = _floor_secs(bodies)
    assert n == base_n, (n, base_n)
    return [
        {
            "name": "parse/xml-all/floor",
            "value": round(n / secs),
            "unit": "postings/s",
            "baseline": round(base_n / base_secs),
            "ratio": round(base_secs / secs, 2),
            "note": "lxml read_feed + nh3 on every description, nothing else: the ceiling for whole postings",
        }
    ]


def real_sample_records(feedparser: Any, reps: int) -> list[dict[str, Any]]:
    """Whole postings and the lxml + nh3 floor on the real third-party XML samples, when present
    (``JOBSIFT_SAMPLES`` or ``../shared/samples``; read in place, never copied)."""
    import os

    from jobsift.crawler.sources import get_format

    root = Path(os.environ.get("JOBSIFT_SAMPLES", Path(__file__).resolve().parents[2] / "shared" / "samples"))
    records: list[dict[str, Any]] = []
    for fmt in ("upwork-rss", "weworkremotely"):
        files = sorted((root / fmt).glob("*")) if (root / fmt).is_dir() else []
        bodies = [p.read_bytes() for p in files if p.is_file()] * reps
        if not bodies:
            continue
        parse = get_format(fmt).parse
        secs, n = _cpu(lambda bodies=bodies, parse=parse, fmt=fmt: sum(_count(parse, b, fmt) for b in bodies))
        floor_secs, _ = _floor_secs(bodies)
        base_secs, _ = _cpu(lambda bodies=bodies: sum(len(feedparser.parse(b).entries) for b in bodies))
        note = f"real samples ({len(files)} files, {n // reps} postings) parsed {reps} times"
        records.append(
            {
                "name": f"parse/real-{fmt}",
                "value": round(n / secs),
                "unit": "postings/s",
                "baseline": round(n / base_secs),
                "ratio": round(base_secs / secs, 2),
                "note": note,
            }
        )
        records.append(
            {
                "name": f"parse/real-{fmt}/floor",
                "value": round(n / floor_secs),
                "unit": "postings/s",
                "baseline": round(n / base_secs),
                "ratio": round(base_secs / floor_secs, 2),
                "note": "lxml read_feed + nh3 only, on the same real samples",
            }
        )
    return records


if __name__ == "__main__":
    import sys

    for rec in run("--quick" in sys.argv):
        print(json.dumps(rec))
