"""Peer comparison: jobsift's crawl + score against gigwatch-nova ``list`` on the same 12 feeds.

Twelve We Work Remotely feeds (628 postings, 52-53 each) are built in memory from the real samples
in ``../shared/samples/weworkremotely`` (``JOBSIFT_SAMPLES``; read in place, never copied into the
project): the 138 sample items are dealt round-robin into the feeds, each copy with its own guid
and link so that all 628 are distinct postings. One loopback HTTP server (one host, 127.0.0.1)
serves them.

Measured side by side in one run, alternating A B A B (each round starts a fresh process):

* A: ``python -m jobsift crawl`` with per-host pacing off (``fetch.per_host_delay = 0``), into a
  fresh SQLite store each round: fetch, parse, store, repost index, market, text model, scores;
* A': the same crawl with ``--no-score`` (fetch, parse, store), into a fresh store too;
* B: ``gigwatch list`` (gigwatch-nova, a plain feed watcher: fetch, parse, keyword filter, print)
  on the same 12 URLs.

The figure is the median wall time of each, and the median of the per-round ratios A/B (target:
at most 2x). gigwatch-nova is never a jobsift dependency: install it into the bench environment
(``pip install gigwatch-nova``); without it the benchmark says so and measures jobsift alone.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.proc import child_env, load_average, timed

FEEDS = 12
POSTINGS = 628
ROOT = Path(__file__).resolve().parents[1]


def samples_dir() -> Path:
    root = Path(os.environ.get("JOBSIFT_SAMPLES", ROOT.parent / "shared" / "samples"))
    return root / "weworkremotely"


def build_feeds(folder: Path, feeds: int = FEEDS, total: int = POSTINGS) -> list[bytes]:
    """``feeds`` RSS documents holding ``total`` distinct postings dealt from the sample items."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    items = []
    head = None
    for path in sorted(folder.glob("*.rss")):
        root = etree.parse(str(path), parser).getroot()
        if head is None:
            head = root
        items.extend(root.iter("item"))
    if head is None or not items:
        raise FileNotFoundError(f"no We Work Remotely samples in {folder}")
    out = []
    for f in range(feeds):
        rss = copy.deepcopy(head)
        channel = rss.find("channel")
        assert channel is not None
        for old in channel.findall("item"):
            channel.remove(old)
        title = channel.find("title")
        if title is not None:
            title.text = f"We Work Remotely: peer feed {f}"
        for k in range(f, total, feeds):
            item = copy.deepcopy(items[k % len(items)])
            for tag in ("guid", "link"):
                el = item.find(tag)
                if el is not None and el.text:
                    el.text = f"{el.text.strip()}-peer-{k}"
            channel.append(item)
        out.append(etree.tostring(rss, xml_declaration=True, encoding="UTF-8"))
    return out


class FeedServer:
    """The feeds at ``/feed/N.rss`` on 127.0.0.1, robots.txt allowing everything, in a thread."""

    def __init__(self, bodies: list[bytes]) -> None:
        bodies_by_path = {f"/feed/{i}.rss": b for i, b in enumerate(bodies)}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                if self.path == "/robots.txt":
                    body, ctype = b"User-agent: *\nAllow: /\n", "text/plain"
                elif self.path in bodies_by_path:
                    body, ctype = bodies_by_path[self.path], "application/rss+xml; charset=utf-8"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.urls = [f"http://127.0.0.1:{self.httpd.server_address[1]}{p}" for p in bodies_by_path]

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def jobsift_config(urls: list[str], db: Path) -> str:
    lines = [
        "[database]",
        f"url = {json.dumps(f'sqlite:///{db}')}",
        "[fetch]",
        "per_host_delay = 0.0",
        "",
    ]
    for i, url in enumerate(urls):
        lines += ["[[sources]]", f'name = "wwr-{i}"', 'format = "weworkremotely"', f"url = {json.dumps(url)}", ""]
    return "\n".join(lines)


def gigwatch_config(urls: list[str]) -> str:
    return json.dumps({"sources": [{"type": "rss", "url": u} for u in urls]})


def gigwatch_command() -> list[str] | None:
    exe = shutil.which("gigwatch", path=str(Path(sys.executable).parent)) or shutil.which("gigwatch")
    return [exe] if exe else None


def run(quick: bool) -> list[dict[str, Any]]:
    folder = samples_dir()
    if not folder.is_dir():
        print(f"peer: skipped, no samples at {folder}", file=sys.stderr)
        return []
    bodies = build_feeds(folder)
    rounds = 3 if quick else 7
    gw = gigwatch_command()
    if gw is None:
        print(
            "peer: gigwatch-nova is not installed in this environment (pip install gigwatch-nova); "
            "measuring jobsift alone",
            file=sys.stderr,
        )
    a_wall: list[float] = []
    a_cpu: list[float] = []
    b_wall: list[float] = []
    b_cpu: list[float] = []
    s_wall: list[float] = []  # crawl --no-score: fetch, parse, store (the store's costs without scoring)
    s_cpu: list[float] = []
    with tempfile.TemporaryDirectory(prefix="jobsift-peer-") as tmp, FeedServer(bodies) as server:
        work = Path(tmp)
        env = child_env(work)
        (work / "config.json").write_text(gigwatch_config(server.urls), encoding="utf-8")
        for r in range(rounds + 1):  # round 0 warms the page cache and is not counted
            db = work / f"round{r}.db"
            cfg = work / f"jobsift{r}.toml"
            cfg.write_text(jobsift_config(server.urls, db), encoding="utf-8")
            crawl = [sys.executable, "-m", "jobsift", "--config", str(cfg), "crawl", "--json"]
            wall, cpu, out = timed(crawl, env, work)
            report = json.loads(out)
            if report["status"] != "ok" or report["scored"] != POSTINGS:
                raise RuntimeError(f"jobsift crawl: {report['status']}, scored {report['scored']} of {POSTINGS}")
            if r:
                a_wall.append(wall)
                a_cpu.append(cpu)
            db.unlink()
            wall, cpu, out = timed([*crawl, "--no-score"], env, work)
            if json.loads(out)["status"] != "ok":
                raise RuntimeError(f"jobsift crawl --no-score: {json.loads(out)['status']}")
            if r:
                s_wall.append(wall)
                s_cpu.append(cpu)
            if gw is not None:
                wall, cpu, out = timed([*gw, "list", "--config", "config.json", "--format", "json"], env, work)
                if len(json.loads(out)) != POSTINGS:
                    raise RuntimeError(f"gigwatch list returned {len(json.loads(out))} jobs, expected {POSTINGS}")
                if r:
                    b_wall.append(wall)
                    b_cpu.append(cpu)
            db.unlink()
    note = (
        f"{FEEDS} feeds, {POSTINGS} postings, one loopback host, pacing off; median of {rounds} rounds; "
        f"load average {load_average()}"
    )
    rec: dict[str, Any] = {
        "name": "peer/jobsift-crawl-and-score",
        "value": round(statistics.median(a_wall), 3),
        "unit": "s wall",
        "cpu": round(statistics.median(a_cpu), 3),
        "note": note,
    }
    scoring_cpu = max(statistics.median(a_cpu) - statistics.median(s_cpu), 1e-9)
    store_only: dict[str, Any] = {
        "name": "peer/jobsift-crawl-no-score",
        "value": round(statistics.median(s_wall), 3),
        "unit": "s wall",
        "cpu": round(statistics.median(s_cpu), 3),
        "note": f"the same crawl without scoring; scoring alone ~{scoring_cpu:.2f} s CPU "
        f"({POSTINGS / scoring_cpu:,.0f} postings/s, model load and imports included)",
    }
    records = [rec, store_only]
    if b_wall:
        ratios = [a / b for a, b in zip(a_wall, b_wall, strict=True)]
        rec["baseline"] = round(statistics.median(b_wall), 3)
        rec["ratio"] = round(statistics.median(ratios), 2)
        store_only["baseline"] = rec["baseline"]
        store_only["ratio"] = round(statistics.median([a / b for a, b in zip(s_wall, b_wall, strict=True)]), 2)
        records.append(
            {
                "name": "peer/gigwatch-nova-list",
                "value": round(statistics.median(b_wall), 3),
                "unit": "s wall",
                "cpu": round(statistics.median(b_cpu), 3),
                "note": f"per-round wall ratios {min(ratios):.2f}-{max(ratios):.2f}x",
            }
        )
        records.append(
            {
                "name": "peer/cpu",
                "value": round(statistics.median(a_cpu), 3),
                "unit": "s cpu",
                "baseline": round(statistics.median(b_cpu), 3),
                "ratio": round(statistics.median(a_cpu) / max(statistics.median(b_cpu), 1e-9), 2),
            }
        )
    return records
