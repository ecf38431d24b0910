"""What every response of the web app carries, whatever route made it (R40).

:class:`Guard` wraps the whole ASGI app, outside Starlette's error handling, so 404s, 422s and
500s get the same headers as pages:

- ``Content-Security-Policy``: only our own files (styles, ``/static/actions.js`` for the one-click
  marks, Swagger UI's files on ``/docs``), never an inline script or a third-party host;
  ``X-Content-Type-Options: nosniff``,
  ``X-Frame-Options: DENY`` and ``Referrer-Policy: no-referrer``;
- ``HEAD`` on any ``GET`` route answers like ``GET`` with the same headers and no body.

:func:`mount_docs` serves ``/docs`` from the ``swagger-ui-bundle`` package (no CDN, works offline);
without the package ``/docs`` is left out and ``/openapi.json`` stays.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
DOCS_ASSETS = "/docs/assets"


class Guard:
    """ASGI wrapper adding the security headers to every response and answering HEAD as GET."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        csp = DOCS_CSP if scope["path"] == "/docs" or scope["path"].startswith(DOCS_ASSETS) else PAGE_CSP

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower().decode("latin-1") not in SECURITY_HEADERS and k.lower() != b"content-security-policy"
                ]
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                headers.append((b"content-security-policy", csp.encode()))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, guarded_send)


def public_base(cfg: Any) -> str:
    """The site's own address for links: ``serve.base_url``, else ``http://serve.host:serve.port/``."""
    if cfg.serve.base_url:
        return str(cfg.serve.base_url).rstrip("/") + "/"
    host = cfg.serve.host if ":" not in cfg.serve.host else f"[{cfg.serve.host}]"
    return f"http://{host}:{cfg.serve.port}/"


def swagger_dir() -> Path | None:
    """The Swagger UI files shipped by ``swagger-ui-bundle``, or None when it is not installed."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return None
    path = Path(str(swagger_ui_path))
    return path if (path / "swagger-ui-bundle.js").is_file() else None


DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>jobsift API</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/jobsift-init.js"></script>
</body>
</html>
"""
DOCS_INIT = (
    "window.ui = SwaggerUIBundle({url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, "
    "presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout'});\n"
)


def mount_docs(app: FastAPI) -> bool:
    """``/docs`` from local files; False (and no route) when Swagger UI is not installed."""
    from fastapi.responses import HTMLResponse, Response
    from fastapi.staticfiles import StaticFiles

    folder = swagger_dir()
    if folder is None:
        return False

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_HTML.format(assets=DOCS_ASSETS))

    @app.get(f"{DOCS_ASSETS}/jobsift-init.js", include_in_schema=False)
    def docs_init() -> Response:
        return Response(DOCS_INIT, media_type="text/javascript")

    app.mount(DOCS_ASSETS, StaticFiles(directory=folder), name="docs-assets")
    return True
