"""``kind = "slack"``: a Slack incoming webhook, ``{"text", "blocks"}`` with mrkdwn escaped."""

from __future__ import annotations

from typing import Any

from jobsift.config import WebhookConfig
from jobsift.publish.channels._http import summary, url_channel
from jobsift.publish.present import flagged_reasons, one_line, safe_url
from jobsift.store.records import Job


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def body(job: Job, hook: WebhookConfig) -> dict[str, Any]:
    title = one_line(job.title, 250)
    url = safe_url(job.url)
    reasons = [one_line(r["text"], 200) for r in flagged_reasons(job)[:4]]
    link = f"<{escape(url)}|{escape(title)}>" if url else escape(title)
    lines = "\n".join(f"• {escape(r)}" for r in reasons)
    return {
        "text": f"{title} ({summary(job)})",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{link}*\n{escape(summary(job))}"}},
            *([{"type": "context", "elements": [{"type": "mrkdwn", "text": lines}]}] if lines else []),
        ],
    }


CHANNEL = url_channel(
    "slack",
    order=20,
    doc='`{"text": ..., "blocks": [section with the linked title and summary, context with the reasons]}`',
    format=body,
)
