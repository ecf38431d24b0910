"""The output-channel registry: one module per ``[[webhooks]]`` kind in this package, found by a scan.

Each module defines ``CHANNEL = Channel(...)``: the kind's name, its config check, the key its
deliveries are recorded under (never a secret), how it formats a job and sends it, and the line
docs/publishing.md shows for it. Config validation (the CLI passes :func:`checks` to
``load_config``, since config sits below publish) and ``jobsift.publish.webhooks`` read this
registry, so adding a channel is one module (and its test). Modules whose name starts with ``_``
are helpers. A module that fails to import, defines no ``CHANNEL`` or repeats a kind raises
``RegistryError`` on first use: nothing is silently skipped.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jobsift.config import WebhookConfig
from jobsift.errors import ConfigError, JobsiftError
from jobsift.plugins import package_modules
from jobsift.store.records import Job

if TYPE_CHECKING:  # the registry is read by every command's config check: httpx only to send
    import httpx

Sleep = Callable[[float], None]
#: What one send did: (tries used, error text or "", whether the sink did not answer at all).
Delivery = tuple[int, str, bool]


class RegistryError(JobsiftError):
    """A channel module is broken (does not import, defines no valid CHANNEL, or repeats a kind)."""


def no_preparation(hook: WebhookConfig) -> None:
    return None


@dataclass(frozen=True)
class Channel:
    """One ``[[webhooks]]`` kind. ``kind`` is the stable name users write in ``kind = "..."``."""

    kind: str
    order: int  # position in the docs table and in the kind-check message
    doc: str  # the body cell of the kind's row in docs/publishing.md
    check: Callable[[WebhookConfig, str], None]  # config validation; raises ConfigError naming ``where``
    sink_key: Callable[[WebhookConfig], str]  # what webhook_deliveries.sink records (no secret)
    format: Callable[[Job, WebhookConfig], dict[str, Any]]  # the body sent for one job
    send: Callable[[httpx.Client, WebhookConfig, Job, Sleep], Delivery]
    prepare: Callable[[WebhookConfig], None] = no_preparation  # before any job is claimed (a missing secret)
    #: Deliveries were once recorded under the raw URL (before R38) and move to ``sink_key`` on push.
    keyed_by_url: bool = False


def scan(package: str, path: list[str]) -> dict[str, Channel]:
    """Every channel module of ``package`` (found at ``path``), by kind, in display order."""
    found: dict[str, Channel] = {}
    for module in package_modules(package, path, "channel", RegistryError):
        name = module.__name__.rsplit(".", 1)[-1]
        channel = getattr(module, "CHANNEL", None)
        if not isinstance(channel, Channel):
            raise RegistryError(f"channel module {name} defines no CHANNEL = Channel(...)")
        if channel.kind in found:
            raise RegistryError(f"channel module {name} repeats kind {channel.kind!r}")
        found[channel.kind] = channel
    return dict(sorted(found.items(), key=lambda kv: (kv[1].order, kv[0])))


@functools.cache
def registry() -> dict[str, Channel]:
    """Every registered channel by kind, in display order."""
    return scan(__name__, list(__path__))


def kinds() -> tuple[str, ...]:
    return tuple(registry())


def choices() -> str:
    """``json, slack, discord, n8n or telegram``: the kinds as a sentence."""
    *head, last = kinds()
    return f"{', '.join(head)} or {last}" if head else last


def checks() -> Mapping[str, Callable[[WebhookConfig, str], None]]:
    """Each kind's config check, for ``load_config(channels=...)``."""
    return {kind: channel.check for kind, channel in registry().items()}


def channel_for(hook: WebhookConfig) -> Channel:
    channel = registry().get(hook.kind)
    if channel is None:
        raise ConfigError(f"webhooks: kind {hook.kind!r} is not {choices()}")
    return channel
