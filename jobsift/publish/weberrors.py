"""Errors as the asker reads them (R36): a page for a browser, JSON naming the parameter for the API.

- ``/api/...``, the feeds and ``/openapi.json`` always answer JSON (``{"detail": ...}``); so does any
  request whose ``Accept`` does not ask for ``text/html``.
- A browser (``Accept: text/html``) gets an HTML page with the same status: ``404`` "no such job",
  ``422`` naming each parameter and why.
- :class:`InvalidParams` is raised by the feeds and the API for filter parameters that the page
  would only ignore: ``422`` with ``{"detail": [{"loc": ["query", name], "msg": why, ...}]}``,
  the shape FastAPI uses for its own validation errors.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from jobsift.publish.templating import render

MACHINE_PREFIXES = ("/api/", "/feed.", "/openapi.json", "/healthz", "/static/", "/docs/assets/")


class InvalidParams(Exception):
    """Query parameters that were not valid: ``{name: why}``."""

    def __init__(self, invalid: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in invalid.items()))
        self.invalid = dict(invalid)


def wants_html(request: Request) -> bool:
    if request.url.path.startswith(MACHINE_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "").lower()


def _detail_lines(detail: Any) -> list[str]:
    if isinstance(detail, list):
        lines = []
        for err in detail:
            loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body")]
            lines.append(f"{'.'.join(loc) or 'request'}: {err.get('msg', 'invalid')}")
        return lines
    return [str(detail)]


def _page(status: int, title: str, lines: list[str], api_link: str) -> HTMLResponse:
    return HTMLResponse(render("error.html", title=title, lines=lines, api_link=api_link), status_code=status)


def install_error_pages(app: FastAPI, api_link: str) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_html(request):
            title = (
                "No such job"
                if exc.status_code == 404 and request.url.path.startswith("/jobs/")
                else ("Not found" if exc.status_code == 404 else f"Error {exc.status_code}")
            )
            lines = [] if exc.status_code == 404 and title == "Not found" else _detail_lines(exc.detail)
            return _page(exc.status_code, title, lines or ["There is nothing at this address."], api_link)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        from fastapi.encoders import jsonable_encoder

        errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        if wants_html(request):
            return _page(422, "That address is not valid", _detail_lines(errors), api_link)
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    @app.exception_handler(InvalidParams)
    async def invalid_params(request: Request, exc: InvalidParams) -> Response:
        errors = [{"loc": ["query", k], "msg": v, "type": "value_error"} for k, v in exc.invalid.items()]
        if wants_html(request):
            return _page(422, "Some parameters are not valid", _detail_lines(errors), api_link)
        return JSONResponse({"detail": errors}, status_code=422)
