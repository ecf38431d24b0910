"""``kind = "discord"``: a Discord webhook, ``{"content", "embeds", "allowed_mentions"}`` (no pings)."""

from __future__ import annotations

from typing import Any

from jobsift.config import WebhookConfig
from jobsift.publish.channels._http import summary, url_channel
from jobsift.publish.present import flagged_reasons, one_line, safe_url
from jobsift.store.records import Job


def body(job: Job, hook: WebhookConfig) -> dict[str, Any]:
    title = one_line(job.title, 250)
    url = safe_url(job.url)
    reasons = [one_line(r["text"], 200) for r in flagged_reasons(job)[:4]]
    embed: dict[str, Any] = {
        "title": title[:256],
        "description": "\n".join(f"• {r}" for r in reasons)[:4000],
        "footer": {"text": summary(job)[:2048]},
    }
    if url:
        embed["url"] = url
    return {"content": f"New job: {title}"[:2000], "embeds": [embed], "allowed_mentions": {"parse": []}}


CHANNEL = url_channel(
    "discord",
    order=30,
    doc=(
        '`{"content": ..., "embeds": [{title, url, description (reasons), footer}], "allowed_mentions": {"parse": []}}`'
    ),
    format=body,
)
