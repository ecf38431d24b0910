"""Upwork GraphQL: a posting's outcome from its job details, as a pure function of the response bytes.

Read from ``jobAuthDetails.opening.job`` (web app) or ``marketplaceJobPosting`` (public API):
* ``clientActivity.totalHired`` (or ``activityStat.jobActivity.totalHired``) of 1 or more → ``hired``;
* a ``status`` of FILLED → ``hired``;
* a closed ``status`` (CLOSED, CANCELLED, EXPIRED, ...) with ``totalHired`` 0 → ``closed_no_hire``
  (closed with the hire count not given: ``unknown``, never guessed);
* an open ``status`` (ACTIVE, OPEN, PUBLIC, ...) → ``open``; anything else → ``unknown``.

Re-asking: a POST of ``DETAILS_QUERY`` with ``variables.id`` = the posting's ciphertext to the source's
own URL, with the source's headers (``token_env`` and so on).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from jobsift.crawler.sources.jsonutil import as_int, dig, load_json
from jobsift.model import Observation

DETAILS_QUERY = (
    "query jobOutcome($id: ID!) { marketplaceJobPosting(id: $id) { id ciphertext status "
    "activityStat { jobActivity { totalHired totalInvitedToInterview lastClientActivity } } } }"
)
FILLED = {"FILLED"}
CLOSED = {"CLOSED", "CANCELLED", "CANCELED", "EXPIRED", "DELETED", "ARCHIVED", "INACTIVE"}
OPEN = {"ACTIVE", "OPEN", "PUBLIC", "PUBLISHED", "POSTED"}


def request_body(external_id: str) -> bytes:
    return json.dumps({"query": DETAILS_QUERY, "variables": {"id": external_id}}).encode()


def _job(data: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any], str] | None:
    """(job, its activity, path prefix) from either details shape."""
    details = data.get("jobAuthDetails")
    if isinstance(details, Mapping):
        job = dig(details, "opening", "job") or {}
        act = job.get("clientActivity") if isinstance(job, Mapping) else None
        return job, act if isinstance(act, Mapping) else {}, "opening.job."
    node = data.get("marketplaceJobPosting")
    if isinstance(node, Mapping):
        act = dig(node, "activityStat", "jobActivity") or node.get("clientActivity") or {}
        return node, act if isinstance(act, Mapping) else {}, ""
    return None


def observe(body: bytes, headers: Mapping[str, str]) -> Observation:
    """The outcome the job details state; ``unknown`` when they do not state one."""
    try:
        doc = load_json(body, headers)
    except Exception as exc:  # noqa: BLE001 - unreadable answer: nothing is known
        return Observation("unknown", "body", f"unreadable: {type(exc).__name__}")
    if isinstance(doc, Mapping) and "response" in doc:
        doc = doc["response"]
    data = doc.get("data") if isinstance(doc, Mapping) else None
    found = _job(data) if isinstance(data, Mapping) else None
    if found is None:
        errors = doc.get("errors") if isinstance(doc, Mapping) else None
        msg = "; ".join(str(e.get("message", e)) if isinstance(e, Mapping) else str(e) for e in (errors or [])[:2])
        return Observation("unknown", "errors" if errors else "data", msg[:200] or None)
    job, act, prefix = found
    activity = "clientActivity" if prefix else "activityStat.jobActivity"
    hired = as_int(act.get("totalHired"))
    status = str(job.get("status") or "").strip().upper()
    if hired is not None and hired >= 1:
        return Observation("hired", f"{prefix}{activity}.totalHired", str(hired))
    if status in FILLED:
        return Observation("hired", f"{prefix}status", status)
    if status in CLOSED:
        if hired == 0:
            return Observation("closed_no_hire", f"{prefix}status", f"{status}; totalHired 0")
        return Observation("unknown", f"{prefix}status", f"{status}; hires not given")
    if status in OPEN:
        return Observation("open", f"{prefix}status", status)
    return Observation("unknown", f"{prefix}status", status or None)
