"""One exception tree for jobsift.

    JobsiftError
    ├── ConfigError              bad jobsift.toml, env or flags (exit 2 at the CLI)
    ├── FetchError               anything between us and the bytes of a feed
    │   ├── RetryableFetchError  5xx, 429, timeouts, dropped connections: try again
    │   │   └── DeferredError    Retry-After longer than we will wait: try in a later run
    │   └── PermanentFetchError  4xx, refused scheme, too many redirects, body too large
    │       └── BlockedError     robots.txt forbids it, or the host blocks us
    ├── ParseError               bytes that are not the format they claim to be (bad input)
    ├── StoreError               the database refused or is not migrated
    └── ModelError               a model artifact that is missing, corrupt or incompatible

Each error carries a short ``reason`` code (stable text, stored against the source) and a
human sentence (``str(err)``).
"""

from __future__ import annotations


class JobsiftError(Exception):
    """Base of every error jobsift raises on purpose."""

    reason: str = "error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class ConfigError(JobsiftError):
    """The configuration is invalid; the message names the key."""

    reason = "bad_config"


class FetchError(JobsiftError):
    """Fetching a URL failed."""

    reason = "fetch_failed"


class RetryableFetchError(FetchError):
    """A failure that may pass if we try again (5xx, 429, timeout, dropped connection)."""

    reason = "retryable"

    def __init__(
        self, message: str, *, reason: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, reason=reason)
        self.retry_after = retry_after


class DeferredError(RetryableFetchError):
    """The server asked us to wait longer than we are willing to within one run."""

    reason = "deferred"


class PermanentFetchError(FetchError):
    """A failure that trying again will not fix (4xx, refused scheme, oversize body)."""

    reason = "permanent"


class BlockedError(PermanentFetchError):
    """robots.txt or the host forbids the request; reported, never worked around."""

    reason = "blocked"


class ParseError(JobsiftError):
    """The body is not a usable document of the expected format."""

    reason = "parse_error"


class StoreError(JobsiftError):
    """The store cannot be used as asked."""

    reason = "store_error"


class ModelError(JobsiftError):
    """A model artifact was refused (missing, corrupt, wrong version)."""

    reason = "model_refused"
