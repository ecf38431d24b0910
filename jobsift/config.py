"""Configuration: jobsift.toml, then ``JOBSIFT_*`` environment, then CLI flags.

Every setting is a typed dataclass field with help text (``field(metadata={"help": ...})``);
``tests/test_docs.py`` checks that the README names each one. Environment overrides use
``JOBSIFT_<SECTION>__<KEY>`` (e.g. ``JOBSIFT_FETCH__TIMEOUT=5``); ``JOBSIFT_DB`` and
``JOBSIFT_CONFIG`` are short forms for the database URL and the config path.
"""

from __future__ import annotations

import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jobsift.config_checks import RANGES as RANGES
from jobsift.config_checks import check_db_url, check_http_url, check_range, resolve_sqlite_path
from jobsift.errors import ConfigError

DEFAULT_CONFIG_PATH = Path("jobsift.toml")
DEFAULT_DB_URL = "sqlite:///jobsift.db"
USER_AGENT = "jobsift/0.1 (+https://github.com/jobsift/jobsift; job-feed filter for freelancers)"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def setting(default: Any, help: str) -> Any:
    """A config field with its help text."""
    if isinstance(default, list | dict):
        factory: Any = list if isinstance(default, list) else dict
        return field(default_factory=lambda: factory(default), metadata={"help": help})
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class DatabaseConfig:
    url: str = setting(
        DEFAULT_DB_URL,
        "SQLAlchemy URL: sqlite:///path.db (relative: beside the config file) or postgresql+psycopg://...",
    )
    auto_upgrade: bool = setting(True, "Run pending migrations automatically when a command opens it")


@dataclass(frozen=True)
class FetchConfig:
    user_agent: str = setting(USER_AGENT, "User-Agent sent with every request (names jobsift)")
    connect_timeout: float = setting(10.0, "Seconds to wait for a TCP/TLS connection")
    read_timeout: float = setting(20.0, "Seconds to wait between bytes of a response")
    total_timeout: float = setting(60.0, "Seconds one request may take end to end")
    max_bytes: int = setting(20_000_000, "Largest body accepted, after decompression, in bytes")
    max_redirects: int = setting(5, "Redirects followed before a fetch is refused")
    retries: int = setting(3, "Attempts per URL for retryable failures (5xx, 429, timeouts)")
    backoff_base: float = setting(1.0, "Base of the exponential backoff between attempts, seconds")
    backoff_max: float = setting(30.0, "Longest backoff between attempts, seconds")
    max_retry_after: float = setting(30.0, "Longest Retry-After honoured in a run; longer defers")
    per_host_delay: float = setting(1.0, "Seconds between two requests to the same host")
    per_host_concurrency: int = setting(2, "Requests in flight to one host at most")
    concurrency: int = setting(16, "Sources fetched at once")
    respect_robots: bool = setting(True, "Obey robots.txt (turning it off is for your own hosts)")
    robots_ttl: float = setting(3600.0, "Seconds a fetched robots.txt is reused")


@dataclass(frozen=True)
class SourceConfig:
    name: str = setting("", "Unique source name (lowercase, digits, - _ .)")
    format: str = setting("", "Parser name: rss, upwork-rss, remoteok, ... or declarative")
    url: str = setting("", "Feed or API URL (http or https)")
    enabled: bool = setting(True, "Crawl this source")
    browser: bool = setting(False, "Fetch through headless Chromium (pages that need JavaScript)")
    interval_minutes: float = setting(15.0, "Minutes between crawls of this source")
    options: dict[str, Any] = setting({}, "Format-specific options (see docs/sources.md)")


@dataclass(frozen=True)
class FiltersConfig:
    keywords: list[str] = setting([], "Keep only postings mentioning one of these words")
    exclude_keywords: list[str] = setting([], "Drop postings mentioning any of these words")
    skills: list[str] = setting([], "Prefer postings asking for these skills")
    countries: list[str] = setting([], "Keep only clients from these countries (empty: any)")
    min_quality: float = setting(0.0, "Hide postings scoring below this (0-100)")
    exclude_flags: list[str] = setting([], "Hide postings with these flags")
    blocked_clients: list[str] = setting([], "Client or company names never shown")
    budget_floor_fixed: float | None = setting(None, "Fixed-price budgets below this USD are lowball")
    budget_floor_hourly: float | None = setting(None, "Hourly rates below this USD are lowball")


@dataclass(frozen=True)
class ScoringConfig:
    lowball_percentile: float = setting(10.0, "Budgets below this market percentile are lowball")
    ghost_threshold: float = setting(0.6, "Ghost probability at or above which a posting is flagged")
    model_path: str = setting("", "Model artifact to use; empty uses the shipped default")
    use_model: bool = setting(True, "Use the learned ghost model when a valid one is available")
    market_min_samples: int = setting(30, "Store budgets a market cell needs before they blend into the prior")


@dataclass(frozen=True)
class OutcomesConfig:
    reobserve: bool = setting(
        True, "Ask sources that can answer (Upwork GraphQL, Freelancer.com) what became of their postings"
    )
    requests_per_source_per_day: int = setting(200, "Re-observation requests one source gets in 24 hours at most")
    max_per_run: int = setting(50, "Re-observation requests per source per crawl at most")
    schedule_days: list[float] = setting([1, 3, 7, 14, 30], "Days after first sight at which a posting is asked again")


@dataclass(frozen=True)
class SmtpConfig:
    host: str = setting("localhost", "SMTP server host")
    port: int = setting(25, "SMTP server port")
    security: str = setting("none", "none, starttls or ssl")
    user: str = setting("", "SMTP user name (empty: no login)")
    password_env: str = setting("JOBSIFT_SMTP_PASSWORD", "Environment variable holding the password")
    timeout: float = setting(30.0, "Seconds to wait for the SMTP server")
    ca_file: str = setting("", "PEM file of CA certificates to trust for a private relay (empty: the system's)")


@dataclass(frozen=True)
class DigestConfig:
    recipients: list[str] = setting([], "Email addresses that receive the daily digest")
    sender: str = setting("jobsift@localhost", "From address of the digest")
    subject: str = setting("jobsift: {count} new jobs worth a look", "Subject ({count}, {date})")
    time: str = setting("07:30", "Local time the scheduler sends the digest (HH:MM)")
    timezone: str = setting("UTC", "IANA timezone of the digest time")
    max_items: int = setting(25, "Jobs per digest at most")
    per_client_cap: int = setting(3, "Jobs from one client per digest at most")
    min_quality: float = setting(50.0, "Jobs below this quality are left out of the digest")


@dataclass(frozen=True)
class WebhookConfig:
    url: str = setting("", "Where new jobs are POSTed (telegram: the Bot API base, empty for the real one)")
    kind: str = setting("json", "Payload shape: json, slack, discord, n8n or telegram")
    min_quality: float = setting(70.0, "Only jobs at or above this quality are pushed")
    chat_id: str = setting("", "Telegram: the chat to post to (a number, or @channelname)")
    token_env: str = setting("JOBSIFT_TELEGRAM_TOKEN", "Telegram: environment variable holding the bot token")


@dataclass(frozen=True)
class ScheduleConfig:
    jitter_seconds: float = setting(60.0, "Random delay added to each source's interval")
    misfire_grace_seconds: float = setting(600.0, "How late a trigger may still run")
    lease_seconds: float = setting(300.0, "How long a worker's claim on a source lasts unrenewed")
    prune_days: int = setting(30, "Raw payloads and fetch logs older than this are pruned")
    prune_time: str = setting("04:00", "Local time (digest.timezone) of the daily prune; empty: never")
    score_history_days: int = setting(0, "Superseded scores older than this are pruned (0: keep all)")


@dataclass(frozen=True)
class ServeConfig:
    host: str = setting("127.0.0.1", "Address the web page listens on")
    port: int = setting(8080, "Port the web page listens on")
    page_size: int = setting(50, "Jobs per page")
    base_url: str = setting(
        "",
        "Public address of the site for links in feeds (e.g. https://jobs.example.org/); "
        "empty: http://host:port/. The request's Host header is never used",
    )
    token: str = setting(
        "", "Needed for changes (save, hide, applied...) when host is not loopback; better set as $JOBSIFT_SERVE__TOKEN"
    )


@dataclass(frozen=True)
class Config:
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    sources: list[SourceConfig] = field(default_factory=list)
    filters: FiltersConfig = field(default_factory=FiltersConfig)
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    outcomes: OutcomesConfig = field(default_factory=OutcomesConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    webhooks: list[WebhookConfig] = field(default_factory=list)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    path: str | None = None

    def source(self, name: str) -> SourceConfig:
        for src in self.sources:
            if src.name == name:
                return src
        known = ", ".join(s.name for s in self.sources) or "none configured"
        raise ConfigError(f"unknown source {name!r} (known: {known})")

    def with_db(self, url: str | None) -> Config:
        if not url:
            return self
        return replace(self, database=replace(self.database, url=url))


SECTIONS: dict[str, type] = {
    "database": DatabaseConfig,
    "fetch": FetchConfig,
    "filters": FiltersConfig,
    "scoring": ScoringConfig,
    "outcomes": OutcomesConfig,
    "smtp": SmtpConfig,
    "digest": DigestConfig,
    "schedule": ScheduleConfig,
    "serve": ServeConfig,
}
LIST_SECTIONS: dict[str, type] = {"sources": SourceConfig, "webhooks": WebhookConfig}


def _coerce(value: Any, hint: Any, key: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return None
        return _coerce(value, args[0], key)
    if hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            return value.lower() in ("1", "true", "yes", "on")
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    if hint is int:
        if isinstance(value, bool):
            raise ConfigError(f"{key}: expected an integer, got {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key}: expected an integer, got {value!r}") from None
    if hint is float:
        if isinstance(value, bool):
            raise ConfigError(f"{key}: expected a number, got {value!r}")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key}: expected a number, got {value!r}") from None
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{key}: expected text, got {value!r}")
        return value
    if origin is list:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise ConfigError(f"{key}: expected a list, got {value!r}")
        (item,) = typing.get_args(hint)
        return [_coerce(v, item, f"{key}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a table, got {value!r}")
        return dict(value)
    return value


def build_section(cls: type, data: Mapping[str, Any], prefix: str, *, extra_to: str | None = None) -> Any:
    """Build one dataclass from a table, refusing unknown keys and wrong types."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        if key not in names or key == extra_to:
            if extra_to is None:
                raise ConfigError(f"{prefix}{key}: unknown setting")
            extra[key] = value
            continue
        kwargs[key] = _coerce(value, hints[key], f"{prefix}{key}")
        check_range(f"{prefix}{key}", kwargs[key])
    if extra_to is not None:
        options = dict(data.get(extra_to) or {}) if isinstance(data.get(extra_to), dict) else {}
        if extra_to in data and not isinstance(data[extra_to], dict):
            raise ConfigError(f"{prefix}{extra_to}: expected a table")
        options.update({k: v for k, v in extra.items() if k != extra_to})
        kwargs[extra_to] = options
    return cls(**kwargs)


def _validate(cfg: Config, known_flags: Sequence[str] | None = None) -> None:
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
    if known_flags is not None:  # the flag registry sits above this layer: its callers pass the codes in
        for name in ("exclude_flags",):
            for flag in getattr(cfg.filters, name):
                if flag not in known_flags:
                    raise ConfigError(f"filters.{name}: unknown flag {flag[:40]!r} (known: {', '.join(known_flags)})")
    check_db_url(cfg.database.url)
    if cfg.serve.base_url:
        check_http_url("serve.base_url", cfg.serve.base_url)
    if cfg.smtp.security not in ("none", "starttls", "ssl"):
        raise ConfigError(f"smtp.security: {cfg.smtp.security!r} is not none, starttls or ssl")
    for i, hook in enumerate(cfg.webhooks):
        if hook.kind not in ("json", "slack", "discord", "n8n", "telegram"):
            raise ConfigError(f"webhooks[{i}].kind: {hook.kind!r} is not json, slack, discord, n8n or telegram")
        if hook.kind == "telegram":
            if not hook.chat_id:
                raise ConfigError(f"webhooks[{i}].chat_id: missing (the Telegram chat to post to)")
            if hook.url and not hook.url.startswith(("http://", "https://")):
                raise ConfigError(f"webhooks[{i}].url: must be an http(s) URL (or empty for api.telegram.org)")
        elif not hook.url.startswith(("http://", "https://")):
            raise ConfigError(f"webhooks[{i}].url: must be an http(s) URL")
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


def _env_overrides(env: Mapping[str, str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for name, value in env.items():
        if not name.startswith("JOBSIFT_") or "__" not in name:
            continue
        section, _, key = name[len("JOBSIFT_") :].lower().partition("__")
        if section not in SECTIONS:
            raise ConfigError(f"{name}: unknown section {section!r}")
        out.setdefault(section, {})[key] = value
    return out


def config_from_dict(
    data: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
    *,
    folder: Path | None = None,
    known_flags: Sequence[str] | None = None,
) -> Config:
    """Build and validate a Config from parsed TOML plus environment overrides.

    ``folder``: the config file's folder, against which a relative SQLite path is resolved.
    """
    env = os.environ if env is None else env
    for key in data:
        if key not in SECTIONS and key not in LIST_SECTIONS:
            raise ConfigError(f"{key}: unknown section")
    overrides = _env_overrides(env)
    kwargs: dict[str, Any] = {}
    for name, cls in SECTIONS.items():
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{name}: expected a table")
        merged = {**table, **overrides.get(name, {})}
        try:
            kwargs[name] = build_section(cls, merged, f"{name}.")
        except ConfigError as exc:
            key = str(exc).split(":", 1)[0].removeprefix(f"{name}.")
            if key in overrides.get(name, {}):  # say where the value came from
                raise ConfigError(f"JOBSIFT_{name.upper()}__{key.upper()}: {exc}") from None
            raise
    for name, cls in LIST_SECTIONS.items():
        items = data.get(name, [])
        if not isinstance(items, list):
            raise ConfigError(f"{name}: expected [[{name}]] tables")
        extra = "options" if cls is SourceConfig else None
        kwargs[name] = [build_section(cls, item, f"{name}[{i}].", extra_to=extra) for i, item in enumerate(items)]
    if env.get("JOBSIFT_DB"):
        kwargs["database"] = replace(kwargs["database"], url=env["JOBSIFT_DB"])
    elif folder is not None and "url" not in overrides.get("database", {}):
        # A relative SQLite path in a config file means beside that file, wherever jobsift runs from.
        kwargs["database"] = replace(kwargs["database"], url=resolve_sqlite_path(kwargs["database"].url, folder))
    cfg = Config(**kwargs)
    try:
        _validate(cfg, known_flags)
    except ConfigError as exc:
        if str(exc).startswith("database.url") and env.get("JOBSIFT_DB"):
            raise ConfigError(f"JOBSIFT_DB: {exc}") from None
        raise
    return cfg


def load_config(
    path: str | os.PathLike[str] | None = None,
    *,
    db_url: str | None = None,
    env: Mapping[str, str] | None = None,
    known_flags: Sequence[str] | None = None,
) -> Config:
    """Load ``path`` (or ``$JOBSIFT_CONFIG``, or ./jobsift.toml if present) with overrides.

    ``known_flags``: the flag codes ``filters.exclude_flags`` may name (the CLI passes the flag registry's).
    """
    env = os.environ if env is None else env
    explicit = path or env.get("JOBSIFT_CONFIG")
    cfg_path = Path(explicit) if explicit else DEFAULT_CONFIG_PATH
    data: dict[str, Any] = {}
    if cfg_path.exists():
        try:
            data = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{cfg_path}: not valid TOML ({exc})") from None
        except OSError as exc:
            raise ConfigError(f"{cfg_path}: cannot read ({exc.strerror})") from None
    elif explicit:
        raise ConfigError(f"{cfg_path}: config file not found (run 'jobsift init' to write one)")
    cfg = config_from_dict(data, env, folder=cfg_path.parent if cfg_path.exists() else None, known_flags=known_flags)
    cfg = replace(cfg, path=str(cfg_path) if cfg_path.exists() else None)
    if db_url:
        check_db_url(db_url, key="--db")
    return cfg.with_db(db_url)


def iter_settings() -> list[tuple[str, str]]:
    """Every documented setting as (dotted name, help)."""
    out: list[tuple[str, str]] = []
    for name, cls in {**SECTIONS, **LIST_SECTIONS}.items():
        for f in fields(cls):
            out.append((f"{name}.{f.name}", str(f.metadata.get("help", ""))))
    return out


assert all(is_dataclass(c) for c in SECTIONS.values())
