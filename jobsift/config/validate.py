"""Checks across settings once a whole ``Config`` is built (names, URLs, choices, orders)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jobsift.config.sections import Config, WebhookConfig
from jobsift.config_checks import check_db_url, check_http_url
from jobsift.errors import ConfigError

#: A webhook kind's config check: raises ConfigError naming ``where`` (e.g. ``webhooks[0]``).
ChannelCheck = Callable[[WebhookConfig, str], None]
#: The flag codes, or a function giving them: the CLI passes the registry's function, so the flag
#: modules are imported only for a config that names a flag (~30 ms of every command's start).
KnownFlags = Sequence[str] | Callable[[], Sequence[str]]
#: Each webhook kind's check, or a function giving them (called only for a config with webhooks).
ChannelChecks = Mapping[str, ChannelCheck] | Callable[[], Mapping[str, ChannelCheck]]
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def validate(cfg: Config, known_flags: KnownFlags | None = None, channels: ChannelChecks | None = None) -> None:
    """``known_flags``: the flag codes ``filters.exclude_flags`` may name; ``channels``: each webhook
    kind's check (``jobsift.publish.channels.checks``). Without them those are not checked; given as
    functions, they are called only when the config names a flag or a webhook."""
    seen: set[str] = set()
    for i, src in enumerate(cfg.sources):
        key = f"sources[{i}]"
        if not src.name:
            raise ConfigError(f"{key}.name: missing")
        if not NAME_RE.match(src.name):
            raise ConfigError(f"{key}.name: {src.name!r} must be lowercase letters, digits, - _ .")
        if src.name in seen:
            raise ConfigError(f"{key}.name: {src.name!r} is used twice")
        seen.add(src.name)
        if not src.format:
            raise ConfigError(f"{key}.format: missing (e.g. 'rss')")
        if not src.url:
            raise ConfigError(f"{key}.url: missing")
        check_http_url(f"{key}.url", src.url)
        if src.interval_minutes <= 0:
            raise ConfigError(f"{key}.interval_minutes: must be positive")
    if known_flags is not None and cfg.filters.exclude_flags:  # the flag registry sits above this layer
        known_flags = known_flags() if callable(known_flags) else known_flags
        for name in ("exclude_flags",):
            for flag in getattr(cfg.filters, name):
                if flag not in known_flags:
                    raise ConfigError(f"filters.{name}: unknown flag {flag[:40]!r} (known: {', '.join(known_flags)})")
    check_db_url(cfg.database.url)
    if callable(channels) and cfg.webhooks:  # the channel registry sits above this layer too
        channels = channels()
    if cfg.serve.base_url:
        check_http_url("serve.base_url", cfg.serve.base_url)
    if cfg.smtp.security not in ("none", "starttls", "ssl"):
        raise ConfigError(f"smtp.security: {cfg.smtp.security!r} is not none, starttls or ssl")
    for i, hook in enumerate(cfg.webhooks):
        if hook.url and not hook.url.startswith(("http://", "https://")):
            raise ConfigError(f"webhooks[{i}].url: must be an http(s) URL")
        if channels is not None and not callable(channels):
            check = channels.get(hook.kind)
            if check is None:
                *head, last = channels
                known = f"{', '.join(head)} or {last}" if head else last
                raise ConfigError(f"webhooks[{i}].kind: {hook.kind!r} is not {known}")
            check(hook, f"webhooks[{i}]")
    if not 0 < cfg.scoring.lowball_percentile < 100:
        raise ConfigError("scoring.lowball_percentile: must be between 0 and 100")
    if cfg.fetch.concurrency < 1 or cfg.fetch.per_host_concurrency < 1:
        raise ConfigError("fetch.concurrency: must be at least 1")
    try:
        ZoneInfo(cfg.digest.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"digest.timezone: unknown timezone {cfg.digest.timezone!r}") from None
    o = cfg.outcomes
    if o.requests_per_source_per_day < 0 or o.max_per_run < 0:
        raise ConfigError("outcomes.requests_per_source_per_day, outcomes.max_per_run: must be 0 or more")
    if not o.schedule_days or any(d <= 0 for d in o.schedule_days) or list(o.schedule_days) != sorted(o.schedule_days):
        raise ConfigError("outcomes.schedule_days: must be positive days in increasing order, e.g. [1, 3, 7, 14, 30]")
    if not re.match(r"^\d{1,2}:\d{2}$", cfg.digest.time):
        raise ConfigError(f"digest.time: {cfg.digest.time!r} is not HH:MM")
