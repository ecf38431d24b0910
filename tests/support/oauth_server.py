"""A loopback OAuth2 authorization server (RFC 6749 authorization code + refresh, RFC 7009 revoke).

``GET /authorize`` checks client_id, redirect_uri (exact match with the registered one),
response_type=code and state, then redirects to the client with a one-time code (or with
``error=access_denied`` when ``deny`` is set). ``POST /token`` authenticates the client (HTTP Basic
or client_secret_post), exchanges a code once (same redirect_uri) or a refresh token, and answers
``{"access_token", "refresh_token", "token_type": "bearer", "expires_in"}``; errors are 400/401 with
``{"error": ...}``. ``POST /revoke`` revokes a refresh token and every access token issued from it.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from tests.support.loopback import LoopbackServer, Reply, Request


class OAuthServer(LoopbackServer):
    def __init__(self, client_id: str, client_secret: str, redirect_uri: str, *, expires_in: int = 86400) -> None:
        self.client_id, self.client_secret, self.redirect_uri = client_id, client_secret, redirect_uri
        self.expires_in = expires_in
        self.deny = False
        self.codes: dict[str, str] = {}  # code -> redirect_uri
        self.refresh: dict[str, bool] = {}  # refresh token -> still valid
        self.access: dict[str, str] = {}  # access token -> refresh token it came from
        self.log: list[tuple[str, dict[str, str]]] = []
        super().__init__()

    def answer(self, request: Request) -> Reply:
        headers = {"Cache-Control": "no-store"}
        if request.method == "GET":
            if request.route != "/authorize":
                return Reply.json(404, {"error": "not_found"}, headers)
            status, body, extra = self.authorize(request.query())
            return Reply.json(status, body, {**headers, **extra})
        form = request.form()
        auth = request.headers.get("authorization", "")
        if auth.startswith("Basic "):
            user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            form.setdefault("client_id", user)
            form.setdefault("client_secret", pw)
        path = urlsplit(request.path).path
        with self.lock:
            self.log.append((path, {k: v for k, v in form.items() if k != "client_secret"}))
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return Reply.json(401, {"error": "invalid_client"}, {**headers, "WWW-Authenticate": "Basic"})
        if path == "/token":
            return Reply.json(*self.token(form), headers)
        if path == "/revoke":
            self.revoke(form.get("token", ""))
            return Reply.json(200, {}, headers)
        return Reply.json(404, {"error": "not_found"}, headers)

    @property
    def url(self) -> str:
        return self.origin

    def authorize(self, q: dict[str, str]) -> tuple[int, dict[str, Any], dict[str, str]]:
        if q.get("client_id") != self.client_id:
            return 400, {"error": "invalid_client"}, {}
        if q.get("redirect_uri", self.redirect_uri) != self.redirect_uri:
            return 400, {"error": "invalid_request", "error_description": "redirect_uri mismatch"}, {}
        state = q.get("state", "")
        if q.get("response_type") != "code":
            err = urlencode({"error": "unsupported_response_type", "state": state})
            return 302, {}, {"Location": f"{self.redirect_uri}?{err}"}
        if self.deny:
            return 302, {}, {"Location": f"{self.redirect_uri}?{urlencode({'error': 'access_denied', 'state': state})}"}
        code = secrets.token_urlsafe(16)
        with self.lock:
            self.codes[code] = q.get("redirect_uri", self.redirect_uri)
        return 302, {}, {"Location": f"{self.redirect_uri}?{urlencode({'code': code, 'state': q.get('state', '')})}"}

    def _issue(self, refresh: str | None = None) -> dict[str, Any]:
        refresh = refresh or secrets.token_urlsafe(24)
        access = secrets.token_urlsafe(24)
        self.refresh[refresh] = True
        self.access[access] = refresh
        return {"access_token": access, "refresh_token": refresh, "token_type": "bearer", "expires_in": self.expires_in}

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            grant = form.get("grant_type")
            if grant == "authorization_code":
                uri = self.codes.pop(form.get("code", ""), None)
                if uri is None:
                    return 400, {"error": "invalid_grant", "error_description": "code unknown or used"}
                if form.get("redirect_uri", uri) != uri:
                    return 400, {"error": "invalid_grant", "error_description": "redirect_uri mismatch"}
                return 200, self._issue()
            if grant == "refresh_token":
                rt = form.get("refresh_token", "")
                if not self.refresh.get(rt):
                    return 400, {"error": "invalid_grant", "error_description": "refresh token expired or revoked"}
                return 200, self._issue(rt)
            return 400, {"error": "unsupported_grant_type"}

    def revoke(self, token: str) -> None:
        with self.lock:
            rt = self.access.get(token, token)
            if rt in self.refresh:
                self.refresh[rt] = False
            for a, r in list(self.access.items()):
                if r == rt:
                    del self.access[a]

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access.clear()

    def valid(self, access: str) -> bool:
        with self.lock:
            return access in self.access
