"""The simulated marketplace served on loopback, in the shapes the real sources parse.

* ``POST /graphql`` — Upwork GraphQL: with ``variables.id`` the job details
  (``marketplaceJobPosting``: ``status``, ``activityStat.jobActivity.totalHired``), else the search
  (``marketplaceJobPostingsSearch`` edges of the postings open today, with client statistics);
* ``GET /api/projects/0.1/projects/active/`` — Freelancer.com listing (``result.projects`` + ``users``);
* ``GET /api/projects/0.1/projects/<id>/`` — one project (``status``, ``sub_status``), 404 when gone;
* ``GET /robots.txt`` — ``robots`` (allow everything by default).

``day`` is the simulated day the server answers for; tests move it and crawl with the matching clock.
Every request is logged (method, path, time) so tests can count what the crawler asked.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from jobsift.simulate.market import Marketplace, SimPosting

PROJECT_PREFIX = "/api/projects/0.1/projects/"


def freelancer_id(p: SimPosting) -> str:
    """The numeric project id Freelancer.com would give the posting (stored as its external id)."""
    return p.key[1:].replace("x", "0")


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


class SimServer:
    def __init__(self, market: Marketplace, *, robots: str = "User-agent: *\nAllow: /\n") -> None:
        self.market = market
        self.day = 0.0
        self.robots = robots
        self.requests: list[tuple[str, str, float]] = []
        self.lock = threading.Lock()
        self.by_key = market.by_key()
        self.freelancer_ids = {freelancer_id(p): p.key for p in market.postings if p.source == "freelancer"}
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def now(self) -> datetime:
        return self.market.at(self.day)

    def __enter__(self) -> SimServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def hits(self, prefix: str) -> int:
        with self.lock:
            return sum(1 for _m, p, _t in self.requests if p.startswith(prefix))

    # -- answers ------------------------------------------------------------------------------

    def upwork_node(self, p: SimPosting) -> dict[str, Any]:
        c = p.client
        return {
            "id": p.key,
            "ciphertext": p.key,
            "title": p.title,
            "description": p.description,
            "publishedDateTime": _iso(self.market.at(p.posted_day)),
            "amount": {"rawValue": str(p.budget)},
            "jobType": "FIXED",
            "skills": [{"name": s} for s in p.skills],
            "totalApplicants": p.proposals,
            "client": {
                "totalPostedJobs": c.jobs_posted,
                "totalHires": c.jobs_with_hires,
                "totalSpent": c.total_spent,
                "verificationStatus": "VERIFIED" if c.payment_verified else "UNVERIFIED",
                "memberSinceDateTime": _iso(self.market.at(p.posted_day - c.age_days)),
                "location": {"country": c.country},
            },
            "activityStat": {
                "jobActivity": {
                    "totalInvitedToInterview": p.interviewing,
                    "invitesSent": p.invites_sent,
                    "totalUnansweredInvites": p.unanswered,
                    "totalHired": 0,
                    "lastClientActivity": _iso(self.market.at(p.posted_day - c.inactive_days)),
                }
            },
        }

    def upwork(self, body: bytes) -> tuple[int, dict[str, Any]]:
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            return 400, {"errors": [{"message": "bad JSON"}]}
        key = (req.get("variables") or {}).get("id")
        if key is None:
            edges = [{"node": self.upwork_node(p)} for p in self.market.listed("upwork", self.day)]
            return 200, {"data": {"marketplaceJobPostingsSearch": {"edges": edges, "pageInfo": {"hasNextPage": False}}}}
        p = self.by_key.get(str(key))
        state = p.state(self.day) if p is not None and p.source == "upwork" else "gone"
        if state in ("gone", "unposted"):
            return 200, {"data": None, "errors": [{"message": f"job {key} not found"}]}
        status = {"open": "ACTIVE", "hired": "CLOSED", "closed_no_hire": "CLOSED"}[state]
        hired = 1 if state == "hired" else 0
        return 200, {
            "data": {
                "marketplaceJobPosting": {
                    "id": key,
                    "ciphertext": key,
                    "status": status,
                    "activityStat": {"jobActivity": {"totalHired": hired}},
                }
            }
        }

    def freelancer_project(self, p: SimPosting, state: str) -> dict[str, Any]:
        sub = {"open": None, "hired": "closed_awarded", "closed_no_hire": "closed_expired"}[state]
        return {
            "id": int(freelancer_id(p)),
            "title": p.title,
            "preview_description": p.description,
            "owner_id": p.client.key,
            "status": "active" if state == "open" else "closed",
            "sub_status": sub,
            "time_submitted": int(self.market.at(p.posted_day).timestamp()),
            "type": "fixed",
            "budget": {"minimum": p.budget, "maximum": p.budget},
            "currency": {"code": "USD"},
            "bid_stats": {"bid_count": p.proposals},
            "jobs": [{"name": s} for s in p.skills],
        }

    def freelancer_users(self, ps: list[SimPosting]) -> dict[str, Any]:
        users = {}
        for p in ps:
            c = p.client
            users[c.key] = {
                "id": c.key,
                "public_name": f"Client {c.key}",
                "status": {"payment_verified": c.payment_verified},
                "registration_date": int((self.market.at(p.posted_day) - timedelta(days=c.age_days)).timestamp()),
                "location": {"country": {"name": c.country}},
            }
        return users

    def freelancer(self, path: str) -> tuple[int, dict[str, Any]]:
        rest = path[len(PROJECT_PREFIX) :].strip("/")
        if rest == "active":
            ps = list(self.market.listed("freelancer", self.day))
            return 200, {
                "status": "success",
                "result": {
                    "projects": [self.freelancer_project(p, "open") for p in ps],
                    "users": self.freelancer_users(ps),
                },
            }
        key = self._freelancer_key(rest)
        p = self.by_key.get(key) if key else None
        state = p.state(self.day) if p is not None else "gone"
        if p is None or state in ("gone", "unposted"):
            return 404, {"status": "error", "message": "Project not found", "error_code": "NotFoundException"}
        return 200, {"status": "success", "result": self.freelancer_project(p, state)}

    def _freelancer_key(self, numeric: str) -> str | None:
        return self.freelancer_ids.get(numeric)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sim = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _send(self, status: int, doc: Any, ctype: str = "application/json") -> None:
                body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _log(self) -> str:
                path = self.path.split("?", 1)[0]
                with sim.lock:
                    sim.requests.append((self.command, path, time.monotonic()))
                return path

            def do_GET(self) -> None:
                path = self._log()
                if path == "/robots.txt":
                    self._send(200, sim.robots.encode(), "text/plain")
                elif path.startswith(PROJECT_PREFIX):
                    self._send(*sim.freelancer(path))
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self) -> None:
                path = self._log()
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if path == "/graphql":
                    self._send(*sim.upwork(body))
                else:
                    self._send(404, {"error": "not found"})

        return Handler
