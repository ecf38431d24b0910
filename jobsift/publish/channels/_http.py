"""What the channels that POST a JSON body to the sink's own URL share: the secret-free sink
identifier, the URL check, the POST with retries, and the job as its JSON object."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from jobsift.config import WebhookConfig
from jobsift.encoding import json_default
from jobsift.errors import ConfigError
from jobsift.publish.channels import Channel, Delivery, Sleep
from jobsift.publish.present import summary_bits
from jobsift.store.records import Job

if TYPE_CHECKING:  # the registry is read by every command's config check: httpx only to send
    import httpx

TRIES_PER_RUN = 3


def sink_id(url: str) -> str:
    """The sink as stored and shown: ``https://hooks.slack.com/...#3f2a9c1d0b7e`` (no path, no query)."""
    parts = urlsplit(url)
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme or 'http'}://{parts.hostname or '?'}{port}/...#{digest}"


def check_url(hook: WebhookConfig, where: str) -> None:
    if not hook.url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}.url: must be an http(s) URL")


def post_json(client: httpx.Client, url: str, body: dict[str, Any], sleep: Sleep) -> Delivery:
    """POST with retries on 429/5xx; (tries used, error or '', sink unreachable).

    A timeout or network error is not retried: a sink that hangs once this run will hang again.
    """
    import httpx

    error = ""
    for attempt in range(1, TRIES_PER_RUN + 1):
        try:
            r = client.post(url, json=body)
        except httpx.TransportError as exc:
            return attempt, f"{type(exc).__name__}: {exc}", True
        if r.status_code < 300:
            return attempt, "", False
        error = f"HTTP {r.status_code}"
        if r.status_code < 500 and r.status_code != 429:
            return attempt, error, False  # a 4xx other than 429 will not pass by trying again now
        if attempt < TRIES_PER_RUN:
            sleep(0.5 * 2 ** (attempt - 1))
    return TRIES_PER_RUN, error, False


def job_json(job: Job) -> dict[str, Any]:
    """The job as the documented JSON object (as in ``/api/jobs``), plain JSON types only."""
    return dict(json.loads(json.dumps(job.to_json(), default=json_default)))


def summary(job: Job) -> str:
    return " · ".join(summary_bits(job))


def url_channel(kind: str, *, order: int, doc: str, format: Callable[[Job, WebhookConfig], dict[str, Any]]) -> Channel:
    """A channel that POSTs ``format(job, hook)`` as JSON to ``hook.url``."""

    def send(client: httpx.Client, hook: WebhookConfig, job: Job, sleep: Sleep) -> Delivery:
        return post_json(client, hook.url, format(job, hook), sleep)

    return Channel(
        kind=kind,
        order=order,
        doc=doc,
        check=check_url,
        sink_key=lambda hook: sink_id(hook.url),
        format=format,
        send=send,
        keyed_by_url=True,
    )
