"""The settings: one frozen dataclass per ``jobsift.toml`` section, every field a ``setting`` with
its help text (``scripts/settings_table.py`` prints them for docs/configuration.md, and
``tests/test_docs.py`` checks that every one is documented)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from jobsift.errors import ConfigError

DEFAULT_CONFIG_PATH = Path("jobsift.toml")
DEFAULT_DB_URL = "sqlite:///jobsift.db"
USER_AGENT = "jobsift/0.1 (+https://github.com/jobsift/jobsift; job-feed filter for freelancers)"


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
    kind: str = setting("json", "Channel: a kind from the table in docs/publishing.md (json, slack, telegram, ...)")
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


def iter_settings() -> list[tuple[str, str]]:
    """Every documented setting as (dotted name, help)."""
    out: list[tuple[str, str]] = []
    for name, cls in {**SECTIONS, **LIST_SECTIONS}.items():
        for f in fields(cls):
            out.append((f"{name}.{f.name}", str(f.metadata.get("help", ""))))
    return out


assert all(is_dataclass(c) for c in SECTIONS.values())
