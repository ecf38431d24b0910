"""A loopback stand-in for Freelancer.com's active-projects API (``/api/projects/0.1/projects/active/``).

It answers the documented shape: ``{"status": "success", "result": {"projects": [...], "users": {...}}}``
with ``users`` only when ``user_details=true`` is asked (and each user's ``status`` only with
``user_status=true``), ``limit`` honoured, and the API's error shape for a bad parameter.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.httpserver import Reply, Request, ScriptedServer

PATH = "/api/projects/0.1/projects/active/"

PROJECTS: list[dict[str, Any]] = [
    {
        "id": 41000001,
        "owner_id": 501,
        "title": "Django REST API for a booking app",
        "seo_url": "python/django-rest-api-booking",
        "preview_description": "Build endpoints for bookings.",
        "description": "Build REST endpoints for bookings with Django and PostgreSQL. Tests required.",
        "currency": {"id": 1, "code": "USD", "sign": "$"},
        "budget": {"minimum": 750, "maximum": 1500},
        "type": "fixed",
        "bid_stats": {"bid_count": 14, "bid_avg": 1100.0},
        "time_submitted": 1764500000,
        "status": "active",
        "jobs": [{"id": 13, "name": "Python"}, {"id": 335, "name": "Django"}],
    },
    {
        "id": 41000002,
        "owner_id": 502,
        "title": "Scrape product prices nightly",
        "seo_url": "python/scrape-product-prices",
        "preview_description": "A nightly scraper.",
        "description": "Write a scraper that collects prices every night and writes a CSV.",
        "currency": {"id": 11, "code": "INR", "sign": "₹"},
        "budget": {"minimum": 1500, "maximum": 12500},
        "type": "fixed",
        "bid_stats": {"bid_count": 57, "bid_avg": 6000.0},
        "time_submitted": 1764490000,
        "status": "active",
        "jobs": [{"id": 13, "name": "Python"}, {"id": 95, "name": "Web Scraping"}],
    },
    {
        "id": 41000003,
        "owner_id": 503,
        "title": "Logo for a bakery",
        "seo_url": "logo-design/logo-for-a-bakery",
        "preview_description": "Three logo concepts.",
        "description": "Three logo concepts for a bakery, vector files.",
        "currency": {"id": 3, "code": "GBP", "sign": "£"},
        "budget": {"minimum": 30, "maximum": 250},
        "type": "fixed",
        "bid_stats": {"bid_count": 120, "bid_avg": 90.0},
        "time_submitted": 1764480000,
        "status": "active",
        "jobs": [{"id": 32, "name": "Logo Design"}],
    },
    {
        "id": 41000004,
        "owner_id": 501,
        "title": "Ongoing Python maintenance, hourly",
        "seo_url": "python/ongoing-python-maintenance",
        "preview_description": "About 10 hours a month.",
        "description": "About 10 hours a month of fixes on a Flask service.",
        "currency": {"id": 1, "code": "USD", "sign": "$"},
        "budget": {"minimum": 15, "maximum": 25},
        "type": "hourly",
        "hourly_project_info": {"commitment": {"hours": 10, "interval": "month"}},
        "bid_stats": {"bid_count": 3, "bid_avg": 20.0},
        "time_submitted": 1764470000,
        "status": "active",
        "jobs": [{"id": 13, "name": "Python"}, {"id": 9, "name": "Flask"}],
    },
]

USERS: dict[str, dict[str, Any]] = {
    "501": {
        "id": 501,
        "username": "harbor_tours",
        "public_name": "Harbor Tours",
        "registration_date": 1420000000,
        "status": {"payment_verified": True, "email_verified": True},
        "location": {"country": {"name": "Canada"}},
        "employer_reputation": {"entire_history": {"overall": 4.9, "reviews": 42}},
    },
    "502": {
        "id": 502,
        "username": "pricewatch",
        "registration_date": 1763000000,
        "status": {"payment_verified": False, "email_verified": True},
        "location": {"country": {"name": "India"}},
    },
    "503": {
        "id": 503,
        "username": "bunbakery",
        "registration_date": 1600000000,
        "status": {"payment_verified": True, "email_verified": True},
        "location": {"country": {"name": "United Kingdom"}},
    },
}


def _error(status: int, message: str, code: str) -> Reply:
    body = {"status": "error", "message": message, "error_code": code, "request_id": "standin"}
    return Reply(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


def active_projects(req: Request) -> Reply:
    q = parse_qs(urlsplit(req.path).query)
    try:
        limit = int(q.get("limit", ["10"])[0])
    except ValueError:
        return _error(400, "Invalid limit", "ProjectExceptionCodes.INVALID_LIMIT")
    if not 0 < limit <= 100:
        return _error(400, "Limit out of range", "ProjectExceptionCodes.INVALID_LIMIT")
    full = q.get("full_description", ["false"])[0] == "true"
    projects = []
    for p in PROJECTS[:limit]:
        item = {k: v for k, v in p.items() if k != "description" or full}
        projects.append(item)
    result: dict[str, Any] = {"projects": projects, "total_count": len(PROJECTS)}
    if q.get("user_details", ["false"])[0] == "true":
        with_status = q.get("user_status", ["false"])[0] == "true"
        owners = {str(p["owner_id"]) for p in projects}
        result["users"] = {
            k: {f: v for f, v in u.items() if f != "status" or with_status} for k, u in USERS.items() if k in owners
        }
    body = {"status": "success", "request_id": "standin", "result": result}
    return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


def serve(server: ScriptedServer) -> str:
    """Route the API on ``server``; returns the base URL to put in place of https://www.freelancer.com."""
    server.route("/robots.txt", Reply(404))
    server.route(PATH, active_projects)
    return server.url
