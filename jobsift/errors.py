"""One exception tree for jobsift.

    JobsiftError
    ├── ConfigError              bad jobsift.toml, env or flags (exit 2 at the CLI)
    ├── FetchError               anything between us and the bytes of a feed
    │   ├── RetryableFetchError  5xx, 429, timeouts, dropped connections: try again
    │   │   └── DeferredError    Retry-After longer than we will wait: try in a later run
    │   ├── PermanentFetchError  4xx, refused scheme, too many redirects, body too large
    │   │   └── BlockedError     robots.txt forbids it, or the host blocks us
    │   └── UnreachableError     the host did not take the connection (refused, unknown name)
    ├── ParseError               bytes that are not the format they claim to be (bad input)
    ├── StoreError               the database refused or is not migrated
    │   └── StoreLocationError   the URL or path names no usable store (malformed, not a database,
    │                            no store there for a read command): exit 2 at the CLI
    ├── NotFoundError            an argument names nothing that exists (posting id): exit 2
    └── ModelError               a model artifact that is missing, corrupt or incompatible

Each error carries a short ``reason`` code (stable text, stored against the source), a
human sentence (``str(err)``) and the CLI's ``exit_code``: 2 when the command must change to
succeed (misuse: bad config, a store that is not there, an unknown id), 1 otherwise.
"""

from __future__ import annotations


class JobsiftError(Exception):
    """Base of every error jobsift raises on purpose."""

    reason: str = "error"
    exit_code: int = 1

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class ConfigError(JobsiftError):
    """The configuration is invalid; the message names the key."""

    reason = "bad_config"
    exit_code = 2


class FetchError(JobsiftError):
    """Fetching a URL failed."""

    reason = "fetch_failed"


class RetryableFetchError(FetchError):
    """A failure that may pass if we try again (5xx, 429, timeout, dropped connection)."""

    reason = "retryable"

    def __init__(self, message: str, *, reason: str | None = None, retry_after: float | None = None) -> None:
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


class UnreachableError(FetchError):
    """The host did not accept a connection at all (refused, name not found): the source failed
    this run. Not ``robots_unavailable``, which is for a host that answers but not for robots.txt."""

    reason = "connect_error"


class ParseError(JobsiftError):
    """The body is not a usable document of the expected format."""

    reason = "parse_error"


class StoreError(JobsiftError):
    """The store cannot be used as asked."""

    reason = "store_error"


class StoreLocationError(StoreError):
    """The database URL or path does not name a store jobsift can use; the message says what to do."""

    reason = "bad_store_location"
    exit_code = 2


class NotFoundError(JobsiftError):
    """An argument names a thing that does not exist (e.g. a posting id)."""

    reason = "not_found"
    exit_code = 2


class ModelError(JobsiftError):
    """A model artifact was refused (missing, corrupt, wrong version)."""

    reason = "model_refused"
