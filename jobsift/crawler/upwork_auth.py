"""Upwork's OAuth2 authorization-code flow for the user's own API key (authlib over httpx).

``jobsift auth upwork`` runs :func:`authorize`: it opens (or prints) Upwork's authorize URL, receives
the redirect on a loopback HTTP server at the key's registered ``redirect_uri``, exchanges the
code for tokens and writes them to a file only the user can read (0600). At crawl time
:func:`access_token` reads that file and refreshes the token shortly before it expires; an
expired or revoked grant raises ``BlockedError`` with the one line that fixes it.

Settings come from the Upwork source's options, then the environment: ``client_id`` (or
``$UPWORK_CLIENT_ID``), the secret from the variable named by ``client_secret_env`` (default
``UPWORK_CLIENT_SECRET``) or ``client_secret``; ``redirect_uri``, ``auth_url``, ``token_url``,
``revoke_url`` and ``token_file`` default to Upwork's and to ``~/.config/jobsift/upwork-<source>.json``.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from jobsift.crawler.upwork_tokens import FIX as FIX  # upwork_api names it in its messages too
from jobsift.crawler.upwork_tokens import load_token, save_token, stamp
from jobsift.errors import BlockedError, ConfigError, JobsiftError

AUTH_URL = "https://www.upwork.com/ab/account-security/oauth2/authorize"
TOKEN_URL = "https://www.upwork.com/api/v3/oauth2/token"  # noqa: S105 - an endpoint, not a secret
REVOKE_URL = ""  # Upwork documents none; revoking is done in the account's settings
REDIRECT_URI = "http://127.0.0.1:8765/callback"
REFRESH_MARGIN = 300.0  # refresh when the access token has less than five minutes left
OPTIONS = {
    "client_id": "Your Upwork API key's client id (or $UPWORK_CLIENT_ID)",
    "client_id_env": "Environment variable holding the client id (default UPWORK_CLIENT_ID)",
    "client_secret": "The key's secret (better: leave it out and use client_secret_env)",
    "client_secret_env": "Environment variable holding the key's secret (default UPWORK_CLIENT_SECRET)",
    "redirect_uri": f"The callback URL registered with the key (default {REDIRECT_URI})",
    "auth_url": "OAuth2 authorize endpoint (default Upwork's)",
    "token_url": "OAuth2 token endpoint (default Upwork's)",
    "revoke_url": "OAuth2 revocation endpoint, if any",
    "token_file": "Where the tokens are kept, mode 0600 (default ~/.config/jobsift/upwork-<source>.json)",
}


class AuthError(JobsiftError):
    """The authorisation flow did not complete."""

    reason = "auth_failed"


def _quiet_import() -> None:
    """authlib's httpx integration warns, once, about a future move to httpx2 (not ours to act on);
    ``authlib.deprecate`` installs an "always" filter at import, so it is imported first and the
    ignore filter goes in front of it."""
    import authlib.deprecate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
        import authlib.integrations.httpx_client


def oauth_client(**kwargs: Any) -> Any:
    """authlib's OAuth2 client over httpx."""
    _quiet_import()
    from authlib.integrations.httpx_client import OAuth2Client

    return OAuth2Client(**kwargs)


def _oauth_error() -> type[Exception]:
    _quiet_import()
    from authlib.integrations.base_client.errors import OAuthError

    return cast("type[Exception]", OAuthError)


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "jobsift"


@dataclass(frozen=True)
class UpworkKey:
    source: str
    client_id: str
    client_secret: str
    redirect_uri: str
    auth_url: str
    token_url: str
    revoke_url: str
    token_file: Path

    @classmethod
    def from_options(cls, source: str, options: Mapping[str, Any], env: Mapping[str, str] | None = None) -> UpworkKey:
        env = os.environ if env is None else env
        where = f"sources[{source}]"
        id_env = str(options.get("client_id_env") or "UPWORK_CLIENT_ID")
        client_id = str(options.get("client_id") or env.get(id_env, ""))
        secret_env = str(options.get("client_secret_env") or "UPWORK_CLIENT_SECRET")
        secret = str(options.get("client_secret") or env.get(secret_env, ""))
        if not client_id:
            raise ConfigError(f"{where}.client_id: missing (your Upwork API key's client id, or $UPWORK_CLIENT_ID)")
        if not secret:
            raise ConfigError(
                f"{where}.client_secret_env: environment variable {secret_env} is not set "
                "(your Upwork API key's secret)"
            )
        token_file = options.get("token_file")
        return cls(
            source=source,
            client_id=client_id,
            client_secret=secret,
            redirect_uri=str(options.get("redirect_uri") or REDIRECT_URI),
            auth_url=str(options.get("auth_url") or AUTH_URL),
            token_url=str(options.get("token_url") or TOKEN_URL),
            revoke_url=str(options.get("revoke_url") or REVOKE_URL),
            token_file=Path(str(token_file)).expanduser() if token_file else config_dir() / f"upwork-{source}.json",
        )

    def client(self, token: Mapping[str, Any] | None = None) -> Any:
        return oauth_client(
            client_id=self.client_id,
            client_secret=self.client_secret,
            redirect_uri=self.redirect_uri,
            token=dict(token) if token else None,
            token_endpoint=self.token_url,
            timeout=20.0,
        )


# --- the token file -----------------------------------------------------------------------------


# --- the loopback receiver ------------------------------------------------------------------------


class _Receiver:
    """Answers one redirect on the registered loopback address and keeps its query."""

    def __init__(self, redirect_uri: str) -> None:
        parts = urlsplit(redirect_uri)
        if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ConfigError(f"redirect_uri {redirect_uri!r}: must be http://127.0.0.1:PORT/... (a loopback address)")
        self.path = parts.path or "/"
        self.query: dict[str, str] | None = None
        self.url: str | None = None
        self.done = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                split = urlsplit(self.path)
                if split.path != receiver.path:
                    self.send_error(404)
                    return
                query = {k: v[0] for k, v in parse_qs(split.query).items()}
                ok = "code" in query
                text = (
                    "jobsift: Upwork access granted. You can close this tab."
                    if ok
                    else f"jobsift: Upwork said {query.get('error', 'no code')}. Nothing was stored."
                )
                body = f"<!doctype html><meta charset=utf-8><title>jobsift</title><p>{text}</p>".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                receiver.query, receiver.url = query, f"{redirect_uri.split('?')[0]}?{split.query}"
                receiver.done.set()

        try:
            self.httpd = HTTPServer((parts.hostname or "127.0.0.1", parts.port or 80), Handler)
        except OSError as exc:
            raise AuthError(f"cannot listen on {redirect_uri} for Upwork's redirect ({exc.strerror})") from None
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def wait(self, timeout: float) -> dict[str, str] | None:
        self.done.wait(timeout)
        return self.query

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def authorize(
    key: UpworkKey, *, open_url: Callable[[str], None], timeout: float = 300.0, now: Callable[[], float] = time.time
) -> dict[str, Any]:
    """The whole authorization-code flow; returns the stored token (without printing it)."""
    receiver = _Receiver(key.redirect_uri)
    try:
        client = key.client()
        state = secrets.token_urlsafe(24)
        url, _ = client.create_authorization_url(key.auth_url, state=state)
        open_url(url)
        query = receiver.wait(timeout)
        if query is None:
            raise AuthError(f"no answer from Upwork within {timeout:g} s: run 'jobsift auth upwork' again")
        if query.get("state") != state:
            raise AuthError("the redirect's state does not match this request (a stale or forged redirect)")
        if "error" in query:
            raise AuthError(f"Upwork refused: {query['error']} {query.get('error_description', '')}".strip())
        try:
            token = client.fetch_token(key.token_url, code=query["code"], grant_type="authorization_code")
        except _oauth_error() as exc:
            raise AuthError(f"Upwork's token endpoint refused the code: {exc}") from None
        finally:
            client.close()
        token = stamp(token, now())
        save_token(key.token_file, token)
        return token
    finally:
        receiver.close()


def access_token(key: UpworkKey, *, now: Callable[[], float] = time.time, force_refresh: bool = False) -> str:
    """A valid access token, refreshed (and the file rewritten) when it is near expiry."""
    token = load_token(key.token_file)
    if not token or not token.get("access_token"):
        raise BlockedError(f"Upwork is not authorised yet: {FIX}", reason="auth_required")
    expires_at = float(token.get("expires_at") or 0)
    if not force_refresh and expires_at - now() > REFRESH_MARGIN:
        return str(token["access_token"])
    if not token.get("refresh_token"):
        raise BlockedError(f"Upwork authorisation expired: {FIX}", reason="auth_expired")
    client = key.client(token)
    try:
        fresh = client.refresh_token(key.token_url, refresh_token=token["refresh_token"])
    except _oauth_error() as exc:
        code = getattr(exc, "error", "") or str(exc)
        raise BlockedError(
            f"Upwork authorisation expired or was revoked ({code}): {FIX}", reason="auth_expired"
        ) from None
    finally:
        client.close()
    fresh = stamp(fresh, now())
    fresh.setdefault("refresh_token", token["refresh_token"])
    save_token(key.token_file, fresh)
    return str(fresh["access_token"])


def revoke(key: UpworkKey) -> bool:
    """Revoke the refresh token at ``revoke_url`` (when there is one) and delete the file."""
    token = load_token(key.token_file)
    revoked = False
    if token and key.revoke_url:
        client = key.client(token)
        try:
            answer = client.revoke_token(
                key.revoke_url,
                token=token.get("refresh_token") or token.get("access_token"),
                token_type_hint="refresh_token" if token.get("refresh_token") else "access_token",
            )
            revoked = answer.status_code < 300
        finally:
            client.close()
    key.token_file.unlink(missing_ok=True)
    return revoked


def status(key: UpworkKey, now: Callable[[], float] = time.time) -> str:
    token = load_token(key.token_file)
    if not token:
        return f"not authorised ({key.token_file} missing): run 'jobsift auth upwork'"
    left = float(token.get("expires_at") or 0) - now()
    refresh = "with a refresh token" if token.get("refresh_token") else "no refresh token"
    state = f"access token valid for {left / 60:.0f} more minutes" if left > 0 else "access token expired"
    return f"authorised: {state}, {refresh} ({key.token_file})"
