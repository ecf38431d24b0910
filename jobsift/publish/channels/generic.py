"""``kind = "json"``: the generic webhook, ``{"event": "job", "job": {...}}`` with the job as in ``/api/jobs``."""

from __future__ import annotations

from typing import Any

from jobsift.config import WebhookConfig
from jobsift.publish.channels._http import job_json, url_channel
from jobsift.store.records import Job


def body(job: Job, hook: WebhookConfig) -> dict[str, Any]:
    return {"event": "job", "job": job_json(job)}


CHANNEL = url_channel("json", order=10, doc='`{"event": "job", "job": {...}}` (the job as in `/api/jobs`)', format=body)
