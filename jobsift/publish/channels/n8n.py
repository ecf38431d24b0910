"""``kind = "n8n"``: the job as one flat object plus ``summary`` and ``reasons_text`` (n8n, Zapier-style flows)."""

from __future__ import annotations

from typing import Any

from jobsift.config import WebhookConfig
from jobsift.publish.channels._http import job_json, summary, url_channel
from jobsift.publish.present import flagged_reasons, one_line
from jobsift.store.records import Job


def body(job: Job, hook: WebhookConfig) -> dict[str, Any]:
    reasons = [one_line(r["text"], 200) for r in flagged_reasons(job)[:4]]
    return {**job_json(job), "summary": summary(job), "reasons_text": reasons}


CHANNEL = url_channel("n8n", order=40, doc="the job as one flat object plus `summary` and `reasons_text`", format=body)
