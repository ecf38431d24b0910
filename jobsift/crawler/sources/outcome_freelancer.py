"""Freelancer.com projects API: a project's outcome, as a pure function of the response bytes.

Read from the per-project endpoint (``GET /api/projects/0.1/projects/<id>/``: ``result`` is the
project) or a listing's ``result.projects[0]``, and from a bids answer (``result.bids``):
* a bid with ``award_status`` awarded/accepted, a ``sub_status`` of ``closed_awarded`` or awarded, or a
  ``frontend_project_status`` of work_in_progress/complete → ``hired``;
* ``sub_status`` ``closed_expired`` (closed with nobody awarded) → ``closed_no_hire``;
* ``status`` active (not awarded) → ``open``; closed without a sub-status, frozen, ... → ``unknown``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from jobsift.crawler.sources.jsonutil import dig, load_json
from jobsift.model import Observation

PROJECT_PATH = "/api/projects/0.1/projects/{}/"
AWARDED_BIDS = {"awarded", "accepted"}
HIRED_SUB = {"closed_awarded", "awarded"}
NO_HIRE_SUB = {"closed_expired"}
HIRED_FRONTEND = {"work_in_progress", "complete", "completed"}


def project_url(source_url: str, external_id: str) -> str:
    """The per-project endpoint on the source's own host (so a mirror or a test server answers)."""
    parts = urlsplit(source_url)
    return f"{parts.scheme}://{parts.netloc}{PROJECT_PATH.format(external_id)}"


def _project(doc: Any) -> Mapping[str, Any] | None:
    result = doc.get("result") if isinstance(doc, Mapping) else None
    if isinstance(result, Mapping):
        projects = result.get("projects")
        if isinstance(projects, list):
            return projects[0] if projects and isinstance(projects[0], Mapping) else None
        if "id" in result or "status" in result:
            return result
    return None


def observe(body: bytes, headers: Mapping[str, str]) -> Observation:
    """The outcome the project (or its bids) states; ``unknown`` when they do not state one."""
    try:
        doc = load_json(body, headers)
    except Exception as exc:  # noqa: BLE001 - unreadable answer: nothing is known
        return Observation("unknown", "body", f"unreadable: {type(exc).__name__}")
    if isinstance(doc, Mapping) and doc.get("status") == "error":
        return Observation("unknown", "error_code", str(doc.get("error_code") or doc.get("message") or "")[:200])
    bids = dig(doc, "result", "bids") if isinstance(doc, Mapping) else None
    for bid in bids if isinstance(bids, list) else []:
        if isinstance(bid, Mapping) and str(bid.get("award_status") or "").lower() in AWARDED_BIDS:
            return Observation("hired", "bids.award_status", str(bid.get("award_status")))
    project = _project(doc)
    if project is None:
        return Observation("unknown", "result", None)
    status = str(project.get("status") or "").lower()
    sub = str(project.get("sub_status") or "").lower()
    front = str(project.get("frontend_project_status") or "").lower()
    if sub in HIRED_SUB:
        return Observation("hired", "sub_status", sub)
    if front in HIRED_FRONTEND:
        return Observation("hired", "frontend_project_status", front)
    if sub in NO_HIRE_SUB:
        return Observation("closed_no_hire", "sub_status", sub)
    if status == "active" and not sub:
        return Observation("open", "status", status)
    return Observation("unknown", "sub_status" if sub else "status", sub or status or None)
