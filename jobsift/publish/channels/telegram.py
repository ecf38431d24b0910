"""``kind = "telegram"``: Telegram as a push sink: the Bot API's ``sendMessage`` to one chat, each job once.

Configured as ``[[webhooks]] kind = "telegram"`` with ``chat_id`` and ``token_env`` (the name of the
environment variable holding the bot token); ``url`` is the Bot API base (empty: the real one), so
tests point it at a loopback server. The token travels only in the request path
(``/bot<token>/sendMessage``): the sink is recorded by its base URL and chat, and every error
text has the token replaced by ``<token>`` before it is stored, logged or printed.

The Bot API answers ``{"ok": true, "result": {...}}``, or ``{"ok": false, "error_code",
"description", "parameters": {"retry_after": N}}``; a 429 is retried after ``retry_after`` when
that is short, other 4xx are not retried in the run.
"""

from __future__ import annotations

import html
import logging
import os
from typing import TYPE_CHECKING, Any

from jobsift.config import WebhookConfig
from jobsift.errors import ConfigError
from jobsift.publish.channels import Channel, Delivery, Sleep
from jobsift.publish.present import flagged_reasons, one_line, safe_url, summary_bits
from jobsift.store.records import Job

if TYPE_CHECKING:  # the registry is read by every command's config check: httpx only to send
    import httpx

API_BASE = "https://api.telegram.org"
TRIES_PER_RUN = 3
MAX_RETRY_AFTER = 30.0  # longer waits are left to the next run
TEXT_LIMIT = 4096


UNANSWERED = ("ConnectError", "ConnectTimeout", "ReadTimeout", "WriteTimeout")


def check(hook: WebhookConfig, where: str) -> None:
    if not hook.chat_id:
        raise ConfigError(f"{where}.chat_id: missing (the Telegram chat to post to)")
    if hook.url and not hook.url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}.url: must be an http(s) URL (or empty for api.telegram.org)")


def base_url(hook: WebhookConfig) -> str:
    return (hook.url or API_BASE).rstrip("/")


def sink_key(hook: WebhookConfig) -> str:
    """What ``webhook_deliveries.sink`` records: base URL and chat, never the token."""
    return f"telegram:{base_url(hook)}#{hook.chat_id}"


def bot_token(hook: WebhookConfig) -> str:
    token = os.environ.get(hook.token_env, "").strip()
    if not token:
        raise ConfigError(
            f"webhooks (telegram {hook.chat_id}): environment variable {hook.token_env} "
            "is not set (the bot token from @BotFather)"
        )
    return token


def redact(text: str, token: str) -> str:
    return text.replace(token, "<token>") if token else text


class _Redact(logging.Filter):
    """Takes the token out of log records (httpx logs each request's URL at INFO)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if self.token in text:
            record.msg, record.args = redact(text, self.token), None
        return True


def message(job: Job) -> str:
    """The message text in Telegram's HTML parse mode (only <b>, <a>, escaped text)."""
    title = html.escape(one_line(job.title, 250), quote=False)
    url = safe_url(job.url)
    head = f'<b><a href="{html.escape(url)}">{title}</a></b>' if url else f"<b>{title}</b>"
    lines = [head, html.escape(" · ".join(summary_bits(job)), quote=False)]
    lines += [f"• {html.escape(one_line(r['text'], 200), quote=False)}" for r in flagged_reasons(job)[:4]]
    text = "\n".join(lines)
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def payload(job: Job, hook: WebhookConfig) -> dict[str, Any]:
    return {
        "chat_id": hook.chat_id,
        "text": message(job),
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
    }


def _answer(r: httpx.Response) -> dict[str, Any]:
    try:
        data = r.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def send(client: httpx.Client, hook: WebhookConfig, job: Job, sleep: Sleep) -> Delivery:
    """sendMessage with retries on 429 (after retry_after), 5xx and network errors."""
    token = bot_token(hook)
    quiet = _Redact(token)
    loggers = [logging.getLogger(name) for name in ("httpx", "httpcore")]
    for lg in loggers:
        lg.addFilter(quiet)
    try:
        tries, error = _send(client, hook, job, sleep, token)
        return tries, error, error.startswith(UNANSWERED)
    except Exception as exc:  # noqa: BLE001 - whatever it is, its text must not carry the token out
        raise RuntimeError(redact(f"{type(exc).__name__}: {exc}", token)) from None
    finally:
        for lg in loggers:
            lg.removeFilter(quiet)


def _send(client: httpx.Client, hook: WebhookConfig, job: Job, sleep: Sleep, token: str) -> tuple[int, str]:
    import httpx

    url = f"{base_url(hook)}/bot{token}/sendMessage"
    body = payload(job, hook)
    error = ""
    for attempt in range(1, TRIES_PER_RUN + 1):
        wait = 0.5 * 2 ** (attempt - 1)
        try:
            r = client.post(url, json=body)
        except httpx.HTTPError as exc:
            error = redact(f"{type(exc).__name__}: {exc}", token)
        else:
            data = _answer(r)
            if r.status_code < 300 and data.get("ok") is True:
                return attempt, ""
            desc = one_line(str(data.get("description") or r.reason_phrase or ""), 200)
            error = redact(f"Telegram {data.get('error_code') or r.status_code}: {desc}".rstrip(": "), token)
            if r.status_code == 429:
                retry_after = (data.get("parameters") or {}).get("retry_after")
                if isinstance(retry_after, int | float):
                    if retry_after > MAX_RETRY_AFTER:
                        return attempt, f"{error} (retry after {retry_after:g}s: next run)"
                    wait = float(retry_after)
            elif r.status_code < 500:
                return attempt, error  # bad chat, bad token: trying again now will not help
        if attempt < TRIES_PER_RUN:
            sleep(wait)
    return TRIES_PER_RUN, error


def _prepare(hook: WebhookConfig) -> None:
    bot_token(hook)  # a missing token is a config error, before any job is claimed


CHANNEL = Channel(
    kind="telegram",
    order=50,
    doc='Bot API `sendMessage`: `{"chat_id", "text" (HTML: linked title, summary, reasons), "parse_mode": "HTML"}`',
    check=check,
    sink_key=sink_key,
    format=payload,
    send=send,
    prepare=_prepare,
)
